// Reading a graph document from text (a file from disk, a paste, a message): JSON, format,
// version and migrations, then the schema. Never throws: every problem becomes a diagnostic
// with a path into the file and a hint, so the user knows what to fix.

import * as v from 'valibot';
import type { Diagnostic } from './diagnostics.js';
import { GRAPH_FORMAT, SCHEMA_VERSION, documentSchema, type GraphDocument } from './document.js';
import { OLDEST_VERSION, migrate } from './migrations.js';
import { text, type Text } from './text.js';

export interface LoadResult {
  /** The upgraded, default-filled document; absent when the file could not be read as one. */
  readonly document?: GraphDocument;
  readonly diagnostics: readonly Diagnostic[];
  /** The version the file was written in, when a migration upgraded it. */
  readonly migratedFrom?: number;
}

const MAX_SCHEMA_ISSUES = 20;

export function loadDocument(source: string): LoadResult {
  let raw: unknown;
  try {
    raw = JSON.parse(source);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    return fail({
      code: 'DOC_JSON',
      message: text(`The file is not valid JSON: ${detail}`, `ファイルが正しい JSON ではありません: ${detail}`),
      hint: text(
        'Open it in a text editor and fix the syntax near the position given, or restore it from the autosave.',
        'テキストエディタで示された位置付近の構文を直すか、自動保存から復元してください。',
      ),
    });
  }
  return loadParsed(raw);
}

/** Same as loadDocument, for a value already parsed from JSON. */
export function loadParsed(raw: unknown): LoadResult {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return fail({
      code: 'DOC_NOT_OBJECT',
      message: text('The file does not contain a graph: its top level is not a JSON object.', 'グラフではありません: 最上位が JSON オブジェクトではありません。'),
      hint: text('A Netwright graph file starts with { "format": "netwright.graph", ... }.', 'Netwright のグラフファイルは { "format": "netwright.graph", ... } で始まります。'),
    });
  }
  const doc = raw as Record<string, unknown>;
  if (doc.format !== GRAPH_FORMAT) {
    return fail({
      code: 'DOC_FORMAT',
      path: 'format',
      message: text(
        `This is not a Netwright graph: "format" is ${JSON.stringify(doc.format) ?? 'missing'}, expected "${GRAPH_FORMAT}".`,
        `Netwright のグラフではありません: "format" が ${JSON.stringify(doc.format) ?? 'ありません'}（"${GRAPH_FORMAT}" が必要）。`,
      ),
      hint: text('Choose a *.netwright.json file saved by Netwright.', 'Netwright で保存した *.netwright.json ファイルを選んでください。'),
    });
  }
  const version = doc.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < OLDEST_VERSION) {
    return fail({
      code: 'DOC_VERSION',
      path: 'version',
      message: text(
        `Unknown schema version ${JSON.stringify(version) ?? '(missing)'}; this Netwright reads versions ${OLDEST_VERSION} to ${SCHEMA_VERSION}.`,
        `不明なスキーマバージョン ${JSON.stringify(version) ?? '（なし）'} です。読めるのは ${OLDEST_VERSION}〜${SCHEMA_VERSION} です。`,
      ),
      hint: text('Set "version" to the number the file was saved with, or re-export it from Netwright.', '"version" を保存時の番号にするか、Netwright から保存し直してください。'),
    });
  }
  if (version > SCHEMA_VERSION) {
    return fail({
      code: 'DOC_VERSION_NEWER',
      path: 'version',
      message: text(
        `The file was saved by a newer Netwright (schema ${version}); this one reads up to ${SCHEMA_VERSION}.`,
        `このファイルは新しい Netwright（スキーマ ${version}）で保存されています。このバージョンは ${SCHEMA_VERSION} まで読めます。`,
      ),
      hint: text('Update Netwright to open it. The file has not been changed.', 'Netwright を更新してから開いてください。ファイルは変更されていません。'),
    });
  }
  const upgraded = version < SCHEMA_VERSION ? migrate(doc, version) : doc;
  const parsed = v.safeParse(documentSchema, upgraded);
  if (!parsed.success) {
    return { diagnostics: parsed.issues.slice(0, MAX_SCHEMA_ISSUES).map(schemaDiagnostic) };
  }
  return {
    document: parsed.output,
    diagnostics: [],
    ...(version < SCHEMA_VERSION ? { migratedFrom: version } : {}),
  };
}

function schemaDiagnostic(issue: v.BaseIssue<unknown>): Diagnostic {
  const path = v.getDotPath(issue) ?? '';
  const where = path === '' ? 'the document' : `"${path}"`;
  const whereJa = path === '' ? 'ドキュメント' : `"${path}"`;
  let message: Text;
  if (issue.expected === 'never') {
    message = text(`${capitalise(where)} is not a field of a Netwright graph.`, `${whereJa} は Netwright のグラフにない項目です。`);
  } else if (issue.received === 'undefined') {
    message = text(`${capitalise(where)} is missing.`, `${whereJa} がありません。`);
  } else {
    message = text(
      `${capitalise(where)} is invalid: expected ${issue.expected ?? 'a different value'}, got ${issue.received}.`,
      `${whereJa} が不正です: ${issue.expected ?? '別の値'} が必要ですが ${issue.received} でした。`,
    );
  }
  return {
    code: 'DOC_SCHEMA',
    severity: 'error',
    path,
    message,
    hint: text(
      `Fix ${where} in the file (see docs/graph-format.md for the format).`,
      `ファイルの ${whereJa} を直してください（形式は docs/graph-format.md を参照）。`,
    ),
  };
}

function fail(d: Omit<Diagnostic, 'severity'>): LoadResult {
  return { diagnostics: [{ severity: 'error', ...d }] };
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
