// CSV tables: header detection, the label column, classification vs regression, quoting,
// Shift_JIS, a separate test file, and errors that name the file, row and column.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsvText } from './csv.js';
import { loadDataset } from './load.js';
import { datasetFailure, tempDirs } from './testing/fixtures.js';

const tmp = tempDirs('nw-csv-');
function write(name: string, content: string | Uint8Array): string {
  const d = tmp();
  const file = join(d, name);
  writeFileSync(file, content);
  return file;
}

const load = (path: string, options?: Record<string, string | number | boolean>) => loadDataset({ name: 'csv', path, options }, { cache: false });

const IRIS = `sepal_length,sepal_width,petal_length,petal_width,species
5.1,3.5,1.4,0.2,setosa
7.0,3.2,4.7,1.4,versicolor
6.3,3.3,6.0,2.5,virginica
4.9,3.0,1.4,0.2,setosa
`;

describe('csv', () => {
  it('reads a headed table with text labels as classification (classes sorted)', async () => {
    const path = write('iris.csv', IRIS);
    const s = await load(path);
    expect(s.train.name).toBe('iris.csv');
    expect(s.train.inputShape).toEqual([4]);
    expect(s.train.size).toBe(4);
    expect(s.train.task).toBe('classification');
    expect(s.train.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(Array.from(s.train.y)).toEqual([0, 1, 2, 0]);
    expect(Array.from(s.train.x.slice(0, 4))).toEqual([5.1, 3.5, 1.4, 0.2].map(Math.fround));
    expect(s.train.featureNames).toEqual(['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
    expect(s.test).toBeUndefined();
  });

  it('reads a headerless numeric table as regression on the last column', async () => {
    const s = await load(write('r.csv', '1,2,0.5\n3,4,1.5\n'));
    expect(s.train.task).toBe('regression');
    expect(s.train.targetShape).toEqual([1]);
    expect(Array.from(s.train.y)).toEqual([0.5, 1.5]);
    expect(Array.from(s.train.x)).toEqual([1, 2, 3, 4]);
  });

  it('takes the label column by name or number, and integer labels as classes with task', async () => {
    const path = write('t.csv', 'y,a,b\n1,0.1,0.2\n0,0.3,0.4\n2,0.5,0.6\n');
    const byName = await load(path, { label: 'y', task: 'classification' });
    expect(byName.train.classes).toEqual(['0', '1', '2']);
    expect(Array.from(byName.train.y)).toEqual([1, 0, 2]);
    expect(Array.from(byName.train.x.slice(0, 2))).toEqual([0.1, 0.2].map(Math.fround));
    const byIndex = await load(path, { label: 0 });
    expect(byIndex.train.task).toBe('regression');
    const err = await datasetFailure(load(path, { label: 'z' }));
    expect(err.message).toMatch(/no column named "z" \(columns: "y", "a", "b"\)/);
    const frac = await datasetFailure(load(write('f.csv', 'a,y\n1,0.5\n'), { task: 'classification' }));
    expect(frac.message).toMatch(/row 2, column 2 \(B, "y"\): label "0\.5" is not a class number/);
  });

  it('handles quotes, CRLF, BOM, semicolons, blank lines and tabs', async () => {
    expect(parseCsvText('"a,1","say ""hi"""\r\n\r\n x , "multi\nline"\n', ',', 'f').map((r) => [r.row, r.cells])).toEqual([
      [1, ['a,1', 'say "hi"']],
      [3, ['x', 'multi\nline']],
    ]);
    const semi = await load(write('eu.csv', '\ufeffa;b;label\n1;2;"x"\n3;4;"y"\n'));
    expect(semi.train.classes).toEqual(['x', 'y']);
    const tsv = await load(write('t.tsv', 'a\tb\n1\t2\n'));
    expect(Array.from(tsv.train.y)).toEqual([2]);
  });

  it('reads Shift_JIS, as Excel on Japanese Windows saves it', async () => {
    // "身長,体重,性別\n170,60,男\n160,50,女\n" in Shift_JIS.
    const sjis = Buffer.from('90 67 92 B7 2C 91 CC 8F 64 2C 90 AB 95 CA 0A 31 37 30 2C 36 30 2C 92 6A 0A 31 36 30 2C 35 30 2C 8F 97 0A'.split(' ').map((h) => parseInt(h, 16)));
    const s = await load(write('jp.csv', sjis));
    expect(s.train.featureNames).toEqual(['身長', '体重']);
    expect(s.train.classes).toEqual(['女', '男'].sort());
    expect(s.train.size).toBe(2);
  });

  it('uses a second file as the test set, with the training classes', async () => {
    const path = write('train.csv', IRIS);
    writeFileSync(join(path, '..', 'test.csv'), 'sepal_length,sepal_width,petal_length,petal_width,species\n5,3,1,0.2,virginica\n');
    const s = await load(path, { test: 'test.csv' });
    expect(s.train.name).toBe('train.csv (train)');
    expect(s.test?.name).toBe('test.csv (test)');
    expect(Array.from(s.test!.y)).toEqual([2]);
    writeFileSync(join(path, '..', 'bad.csv'), 'sepal_length,sepal_width,petal_length,petal_width,species\n5,3,1,0.2,rose\n');
    const err = await datasetFailure(load(path, { test: 'bad.csv' }));
    expect(err.message).toMatch(/bad\.csv, row 2, column 5 \(E, "species"\): class "rose" does not occur in the training table train\.csv/);
  });

  it('names the file, row and column of a non-numeric cell', async () => {
    const path = write('iris.csv', IRIS.replace('6.3,3.3,6.0', '6.3,abc,6.0'));
    const err = await datasetFailure(load(path));
    expect(err.message).toBe(`${path}, row 4, column 2 (B, "sepal_width"): "abc" is not a number`);
    expect(err.file).toBe(path);
    expect(err.hint).toMatch(/Every column except the label must hold numbers/);
    const empty = await datasetFailure(load(write('e.csv', '1,2,a\n3,,b\n')));
    expect(empty.message).toMatch(/e\.csv, row 2, column 2 \(B\): the cell is empty/);
  });

  it('names the row of a ragged line', async () => {
    const path = write('ragged.csv', 'a,b,label\n1,2,x\n3,4\n5,6,y\n');
    const err = await datasetFailure(load(path));
    expect(err.message).toBe(`${path}, row 3: 2 cells, but row 1 has 3`);
    expect(err.hint).toMatch(/same number of cells/);
  });

  it('refuses empty tables, headers without data, one column and empty labels', async () => {
    expect((await datasetFailure(load(write('empty.csv', '\n\n')))).message).toMatch(/empty\.csv is empty/);
    expect((await datasetFailure(load(write('head.csv', 'a,b,c\n')))).message).toMatch(/has a header but no data rows/);
    expect((await datasetFailure(load(write('one.csv', 'a\n1\n')))).message).toMatch(/only one column/);
    expect((await datasetFailure(load(write('nolabel.csv', 'a,b\n1,x\n2,\n')))).message).toMatch(/row 3, column 2 \(B, "b"\): the label is empty/);
    expect((await datasetFailure(load(write('q.csv', 'a,"b\n1,2\n')))).message).toMatch(/row 1: a quoted cell is never closed/);
  });

  it('checks options: unknown names and bad values', async () => {
    const path = write('x.csv', '1,2\n');
    expect((await datasetFailure(load(path, { lable: 'y' }))).message).toBe('dataset "csv" has no option "lable"');
    expect((await datasetFailure(load(path, { task: 'clustering' }))).message).toMatch(/option "task": expected one of "classification", "regression"/);
    expect((await datasetFailure(load(path, { label: 5 }))).message).toMatch(/label column 5 is out of range/);
  });
});
