// The parsed-data cache: exact round trips, re-parsing when a source changes, and damaged or
// unwritable cache files that are rebuilt or skipped (logged), never fatal.

import { chmodSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeCache, defaultCacheDir, encodeCache } from './cache.js';
import { loadDataset } from './load.js';
import type { RawSplits } from './raw.js';
import { tempDirs } from './testing/fixtures.js';

const tmp = tempDirs('nw-cache-');

const cacheFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.nwds'));

function csvFixture(text = 'a,b,label\n1,2,cat\n3,4,dog\n5,6,cat\n'): string {
  const dir = tmp();
  const file = join(dir, 'pets.csv');
  writeFileSync(file, text);
  return file;
}

describe('cache format', () => {
  const raw: RawSplits = {
    train: { name: 't', inputShape: [1, 2, 2], size: 2, x: Uint8Array.of(0, 1, 2, 255, 9, 8, 7, 6), task: 'classification', y: Int32Array.of(1, 0), classes: ['a', 'b'] },
    test: { name: 'r', inputShape: [3], size: 1, x: Float32Array.of(0.5, -1, 3), task: 'regression', y: Float32Array.of(2.5), targetShape: [1], featureNames: ['p', 'q', 'r'] },
  };

  it('round-trips bytes, floats, ints and metadata exactly', () => {
    const back = decodeCache(encodeCache('id', raw), 'id')!;
    expect(back.train).toEqual(raw.train);
    expect(back.test).toEqual(raw.test);
    expect(back.test!.x.buffer.byteLength).toBe(12); // owns its own buffer
  });

  it('misses on another identity and throws on damage', () => {
    const bytes = encodeCache('id', raw);
    expect(decodeCache(bytes, 'other')).toBeUndefined();
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 3]! ^= 0xff;
    expect(() => decodeCache(flipped, 'id')).toThrow(/checksum/);
    expect(() => decodeCache(bytes.subarray(0, bytes.length - 1), 'id')).toThrow(/truncated/);
    expect(() => decodeCache(Buffer.from('hello world, not a cache'), 'id')).toThrow(/not a Netwright cache/);
  });

  it('defaults to the platform cache folder', () => {
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/x' }, 'linux')).toBe(join('/x', 'netwright', 'datasets'));
    expect(defaultCacheDir({}, 'linux')).toMatch(/\.cache[\\/]netwright[\\/]datasets$/);
  });
});

describe('loadDataset with the cache', () => {
  it('writes one cache file atomically and serves the next load from it', async () => {
    const cacheDir = tmp();
    const path = csvFixture();
    const a = await loadDataset({ name: 'csv', path }, { cacheDir });
    expect(cacheFiles(cacheDir)).toHaveLength(1);
    expect(readdirSync(cacheDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const b = await loadDataset({ name: 'csv', path }, { cacheDir });
    expect(b).toEqual(a);
  });

  it('re-parses when the source changes (size or mtime), overwriting the old entry', async () => {
    const cacheDir = tmp();
    const path = csvFixture();
    expect((await loadDataset({ name: 'csv', path }, { cacheDir })).train.size).toBe(3);
    writeFileSync(path, 'a,b,label\n1,2,cat\n3,4,dog\n');
    expect((await loadDataset({ name: 'csv', path }, { cacheDir })).train.size).toBe(2);
    // Same size, new content, new mtime.
    writeFileSync(path, 'a,b,label\n7,2,cat\n3,4,dog\n');
    const later = new Date(Date.now() + 5000);
    utimesSync(path, later, later);
    expect((await loadDataset({ name: 'csv', path }, { cacheDir })).train.x[0]).toBe(7);
    expect(cacheFiles(cacheDir)).toHaveLength(1);
  });

  it('keys by options too: another label column is another entry', async () => {
    const cacheDir = tmp();
    const path = csvFixture('a,b,c\n1,2,3\n4,5,6\n');
    const last = await loadDataset({ name: 'csv', path }, { cacheDir });
    const first = await loadDataset({ name: 'csv', path, options: { label: 'a' } }, { cacheDir });
    expect(Array.from(last.train.y)).toEqual([3, 6]);
    expect(Array.from(first.train.y)).toEqual([1, 4]);
    expect(cacheFiles(cacheDir)).toHaveLength(2);
  });

  it('rebuilds a damaged cache file, with a notice', async () => {
    const cacheDir = tmp();
    const path = csvFixture();
    const good = await loadDataset({ name: 'csv', path }, { cacheDir });
    const [name] = cacheFiles(cacheDir);
    const file = join(cacheDir, name!);
    for (const damage of [
      (b: Buffer) => b.subarray(0, b.length - 7),
      (b: Buffer) => Buffer.concat([b, Buffer.from('junk')]),
      (b: Buffer) => {
        const c = Buffer.from(b);
        c[c.length - 5]! ^= 0x55;
        return c;
      },
      () => Buffer.from('garbage'),
      () => Buffer.alloc(0),
    ]) {
      writeFileSync(file, damage(readFileSync(file)));
      const notices: string[] = [];
      const again = await loadDataset({ name: 'csv', path }, { cacheDir, log: (m) => notices.push(m) });
      expect(again).toEqual(good);
      expect(notices.join('\n')).toMatch(/is damaged .*rebuilding it/);
      // Rebuilt: the next load reads it without a notice.
      const quiet: string[] = [];
      await loadDataset({ name: 'csv', path }, { cacheDir, log: (m) => quiet.push(m) });
      expect(quiet).toEqual([]);
    }
  });

  it.skipIf(process.getuid?.() === 0)('still loads when the cache folder cannot be written', async () => {
    const cacheDir = tmp();
    chmodSync(cacheDir, 0o500);
    const notices: string[] = [];
    const s = await loadDataset({ name: 'csv', path: csvFixture() }, { cacheDir, log: (m) => notices.push(m) });
    chmodSync(cacheDir, 0o700);
    expect(s.train.size).toBe(3);
    expect(notices.join('\n')).toMatch(/could not write the dataset cache/);
  });

  it('still loads when the cache folder is a file', async () => {
    const blocker = join(tmp(), 'not-a-folder');
    writeFileSync(blocker, 'x');
    const notices: string[] = [];
    const s = await loadDataset({ name: 'csv', path: csvFixture() }, { cacheDir: join(blocker, 'cache'), log: (m) => notices.push(m) });
    expect(s.train.size).toBe(3);
    expect(notices.join('\n')).toMatch(/could not write the dataset cache/);
  });

  it('leaves generated sets out of the cache', async () => {
    const cacheDir = tmp();
    await loadDataset({ name: 'spiral' }, { cacheDir });
    expect(readdirSync(cacheDir)).toEqual([]);
  });
});
