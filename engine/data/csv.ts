// CSV tables: numeric feature columns plus one label column. Handles quoted cells, a UTF-8
// BOM and Shift_JIS (what Excel writes on Japanese Windows), detects a header row, and
// reports a bad cell by file, row (the spreadsheet row number) and column, with the header name.

import { basename, dirname, extname, resolve as resolvePath } from 'node:path';
import { DatasetError, type Task } from './dataset.js';
import { readSource } from './files.js';
import { booleanOption, stringOption, type ResolvedOptions } from './options.js';
import type { RawDataset, RawSplits } from './raw.js';
import type { Reader } from './reader.js';

/** One record: its cells and the 1-based line it starts on. */
export interface CsvRow {
  readonly cells: string[];
  readonly row: number;
}

/** UTF-8 (BOM stripped), else Shift_JIS; the file is named when it is neither. */
export function decodeText(bytes: Uint8Array, file: string): string {
  for (const encoding of ['utf-8', 'shift_jis']) {
    try {
      const text = new TextDecoder(encoding, { fatal: true }).decode(bytes);
      return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    } catch {
      // try the next encoding
    }
  }
  throw new DatasetError(`${file} is neither UTF-8 nor Shift_JIS text`, file, 'Save the table as "CSV UTF-8" from your spreadsheet program.');
}

/** The delimiter used most in the first line (outside quotes): comma, semicolon or tab. */
export function detectDelimiter(text: string): string {
  const counts = new Map<string, number>([[',', 0], [';', 0], ['\t', 0]]);
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best = ',';
  for (const [d, n] of counts) if (n > counts.get(best)!) best = d;
  return best;
}

/**
 * Splits CSV text into rows (RFC 4180: "quoted, cells" with "" for a quote and line breaks
 * inside quotes). Unquoted cells are trimmed; blank lines are skipped.
 */
export function parseCsvText(text: string, delimiter: string, file: string): CsvRow[] {
  const rows: CsvRow[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let wasQuoted = false;
  let line = 1;
  let rowStart = 1;
  const endCell = () => {
    cells.push(wasQuoted ? cell : cell.trim());
    cell = '';
    wasQuoted = false;
  };
  const endRow = () => {
    endCell();
    if (!(cells.length === 1 && cells[0] === '')) rows.push({ cells, row: rowStart });
    cells = [];
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === '\n') line++;
        cell += ch;
      }
    } else if (ch === '"' && cell.trim() === '') {
      quoted = true;
      wasQuoted = true;
      cell = '';
    } else if (ch === delimiter) endCell();
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRow();
      line++;
      rowStart = line;
    } else cell += ch;
  }
  if (quoted) throw new DatasetError(`${file}, row ${rowStart}: a quoted cell is never closed`, file, 'Add the missing " or remove the stray one.');
  if (cell !== '' || cells.length) endRow();
  return rows;
}

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
export const isNumeric = (s: string) => NUMBER.test(s);

/** "C" for column 3: the letter a spreadsheet shows. */
function columnLetter(index: number): string {
  let s = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

interface Table {
  readonly file: string;
  readonly header?: readonly string[];
  readonly rows: readonly CsvRow[];
  readonly width: number;
}

function columnName(t: Table, c: number): string {
  return `column ${c + 1} (${columnLetter(c)}${t.header ? `, "${t.header[c]}"` : ''})`;
}

function cellError(t: Table, row: number, c: number, problem: string, hint: string): DatasetError {
  return new DatasetError(`${t.file}, row ${row}, ${columnName(t, c)}: ${problem}`, t.file, hint);
}

/** A header when some column has text in the first row and a number in the second. */
function looksLikeHeader(rows: readonly CsvRow[]): boolean {
  const [first, second] = rows;
  if (!first) return false;
  if (!second) return first.cells.some((c) => !isNumeric(c));
  return first.cells.some((c, i) => !isNumeric(c) && second.cells[i] !== undefined && isNumeric(second.cells[i]!));
}

async function readTable(file: string, options: ResolvedOptions): Promise<Table> {
  const text = decodeText(await readSource(file), file);
  const opt = stringOption(options, 'delimiter');
  const delimiter = opt === 'tab' ? '\t' : opt ?? (extname(file).toLowerCase() === '.tsv' ? '\t' : detectDelimiter(text));
  const all = parseCsvText(text, delimiter, file);
  if (!all.length) throw new DatasetError(`${file} is empty`, file, 'The table needs at least one row of data.');
  const width = all[0]!.cells.length;
  for (const r of all) {
    if (r.cells.length !== width) {
      throw new DatasetError(
        `${file}, row ${r.row}: ${r.cells.length} cells, but row ${all[0]!.row} has ${width}`,
        file,
        `Every row needs the same number of cells. Check for a missing or extra "${delimiter === '\t' ? 'tab' : delimiter}" (or a cell with the delimiter in it that should be in quotes).`,
      );
    }
  }
  const hasHeader = booleanOption(options, 'header') ?? looksLikeHeader(all);
  const header = hasHeader ? all[0]!.cells : undefined;
  const rows = hasHeader ? all.slice(1) : all;
  if (!rows.length) throw new DatasetError(`${file} has a header but no data rows`, file, 'Add rows of data below the header.');
  if (width < 2) throw new DatasetError(`${file} has only one column`, file, 'The table needs at least one feature column and a label column.');
  return { file, header, rows, width };
}

function labelColumn(t: Table, option: ResolvedOptions[string] | undefined): number {
  const label = option ?? -1;
  if (typeof label === 'number') {
    const c = label < 0 ? t.width + label : label;
    if (c < 0 || c >= t.width) throw new DatasetError(`${t.file}: label column ${label} is out of range (the table has ${t.width} columns, numbered 0..${t.width - 1})`, t.file, 'Fix the "label" option.');
    return c;
  }
  const name = String(label);
  const byName = t.header?.indexOf(name) ?? -1;
  if (byName >= 0) return byName;
  if (isNumeric(name) && Number.isInteger(Number(name))) return labelColumn(t, Number(name));
  throw new DatasetError(
    `${t.file}: no column named "${name}"${t.header ? ` (columns: ${t.header.map((h) => `"${h}"`).join(', ')})` : ' (the table has no header row)'}`,
    t.file,
    'Set the "label" option to a header name or a 0-based column number.',
  );
}

interface Parsed {
  readonly x: Float32Array;
  readonly labels: readonly string[];
  readonly rows: readonly number[];
}

function parseFeatures(t: Table, label: number): Parsed {
  const f = t.width - 1;
  const x = new Float32Array(t.rows.length * f);
  const labels: string[] = [];
  const rowNumbers: number[] = [];
  t.rows.forEach((r, i) => {
    let k = i * f;
    for (let c = 0; c < t.width; c++) {
      const cell = r.cells[c]!;
      if (c === label) continue;
      if (!isNumeric(cell)) {
        throw cellError(
          t,
          r.row,
          c,
          cell === '' ? 'the cell is empty' : `"${cell}" is not a number`,
          'Every column except the label must hold numbers: fix the cell, drop the row, or remove the column (a text category needs one-hot columns).',
        );
      }
      x[k++] = Number(cell);
    }
    const y = r.cells[label]!;
    if (y === '') throw cellError(t, r.row, label, 'the label is empty', 'Every row needs a label: fill it in or drop the row.');
    labels.push(y);
    rowNumbers.push(r.row);
  });
  return { x, labels, rows: rowNumbers };
}

/** Reads the CSV (and the optional test CSV) into splits: the `csv` reader's work. */
export async function loadCsv(file: string, options: ResolvedOptions): Promise<RawSplits> {
  const testOption = stringOption(options, 'test');
  const testFile = testOption === undefined ? undefined : resolvePath(dirname(file), testOption);
  const tables = [await readTable(file, options), ...(testFile ? [await readTable(testFile, options)] : [])];
  const [train, test] = tables as [Table, Table | undefined];
  const label = labelColumn(train, options.label);
  if (test && test.width !== train.width) {
    throw new DatasetError(`${test.file} has ${test.width} columns but ${train.file} has ${train.width}`, test.file, 'The test table needs the same columns as the training table.');
  }
  const parsed = tables.map((t) => ({ t, p: parseFeatures(t, label) }));
  const allNumeric = parsed.every(({ p }) => p.labels.every(isNumeric));
  const task = (stringOption(options, 'task') as Task | undefined) ?? (allNumeric ? 'regression' : 'classification');
  const features = train.width - 1;
  const featureNames = train.header?.filter((_, c) => c !== label);

  let classes: string[] | undefined;
  if (task === 'classification') {
    if (allNumeric) {
      let max = -1;
      for (const { t, p } of parsed) {
        p.labels.forEach((s, i) => {
          const v = Number(s);
          if (!Number.isInteger(v) || v < 0) {
            throw cellError(t, p.rows[i]!, label, `label "${s}" is not a class number (a whole number ≥ 0)`, 'Class labels must be 0, 1, 2, … or text names; or set the option task to "regression".');
          }
          max = Math.max(max, v);
        });
      }
      classes = Array.from({ length: max + 1 }, (_, i) => String(i));
    } else {
      // Text labels: classes in sorted order (stable whatever the row order); the test set may
      // only use classes the training set has.
      classes = [...new Set(parsed[0]!.p.labels)].sort();
    }
  }

  const toDataset = ({ t, p }: { t: Table; p: Parsed }, role: string): RawDataset => {
    const size = p.labels.length;
    const base = { name: `${basename(t.file)}${testFile ? ` (${role})` : ''}`, inputShape: [features], size, x: p.x };
    if (task === 'classification') {
      const index = new Map(classes!.map((c, i) => [c, i]));
      const y = new Int32Array(size);
      p.labels.forEach((s, i) => {
        const k = allNumeric ? Number(s) : index.get(s);
        if (k === undefined) {
          throw cellError(t, p.rows[i]!, label, `class "${s}" does not occur in the training table ${basename(train.file)}`, 'The test table may only use classes the training table has.');
        }
        y[i] = k;
      });
      return { ...base, task, y, classes: classes!, ...(featureNames ? { featureNames } : {}) };
    }
    const y = new Float32Array(size);
    p.labels.forEach((s, i) => {
      if (!isNumeric(s)) {
        throw cellError(t, p.rows[i]!, label, `label "${s}" is not a number`, 'A regression target must be a number in every row; for text labels set the option task to "classification".');
      }
      y[i] = Number(s);
    });
    return { ...base, task, y, targetShape: [1], ...(featureNames ? { featureNames } : {}) };
  };
  const out = parsed.map((x, i) => toDataset(x, i === 0 ? 'train' : 'test'));
  return out[1] ? { train: out[0]!, test: out[1] } : { train: out[0]! };
}

export const readCsv: Reader = async ({ path, options }) => {
  if (!path) throw new DatasetError('dataset "csv" needs a path: the .csv file', undefined, 'Set training.dataset.path to the CSV file.');
  const test = stringOption(options, 'test');
  return {
    files: [path, ...(test === undefined ? [] : [resolvePath(dirname(path), test)])],
    version: 1,
    read: () => loadCsv(path, options),
  };
};
