// The safetensors writer and reader: a round trip, the file checked by an independent minimal
// reader written here from the format's description (so a shared mistake cannot hide), atomic
// writes, and clear refusals of malformed files.

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors, readSafetensors, SafetensorsError, writeSafetensors, type SafetensorsTensor } from './safetensors.js';

const dir = mkdtempSync(join(tmpdir(), 'netwright-st-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TENSORS: SafetensorsTensor[] = [
  { name: 'fc1.weight', dtype: 'F32', shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 0, 1e-8, -0]) },
  { name: 'fc1.bias', dtype: 'F32', shape: [3], data: Float32Array.from([0.1, 0.2, Number.POSITIVE_INFINITY]) },
  { name: 'counts', dtype: 'I32', shape: [2, 2], data: Int32Array.from([1, -1, 2147483647, -2147483648]) },
  { name: 'scalar', dtype: 'F32', shape: [], data: Float32Array.from([42]) },
  { name: 'empty', dtype: 'F32', shape: [0, 4], data: new Float32Array(0) },
];

/** An independent reader: header length, JSON header, then bytes sliced by data_offsets. */
function minimalRead(bytes: Buffer): { header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>; metadata: Record<string, string>; values: Record<string, number[]> } {
  const n = Number(bytes.readBigUInt64LE(0));
  const parsed = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as Record<string, unknown>;
  const metadata = (parsed['__metadata__'] ?? {}) as Record<string, string>;
  delete parsed['__metadata__'];
  const header = parsed as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const data = bytes.subarray(8 + n);
  const values: Record<string, number[]> = {};
  for (const [name, info] of Object.entries(header)) {
    const [begin, end] = info.data_offsets;
    const out: number[] = [];
    for (let at = begin; at < end; at += 4) out.push(info.dtype === 'F32' ? data.readFloatLE(at) : data.readInt32LE(at));
    values[name] = out;
  }
  return { header, metadata, values };
}

describe('safetensors', () => {
  it('round-trips tensors and metadata', () => {
    const bytes = encodeSafetensors(TENSORS, { format: 'test', note: 'ノート' });
    const back = decodeSafetensors(bytes);
    expect(back.metadata).toEqual({ format: 'test', note: 'ノート' });
    expect(back.tensors.map((t) => t.name)).toEqual(TENSORS.map((t) => t.name));
    back.tensors.forEach((t, i) => {
      expect(t.dtype).toBe(TENSORS[i]!.dtype);
      expect(t.shape).toEqual(TENSORS[i]!.shape);
      expect(Array.from(t.data)).toEqual(Array.from(TENSORS[i]!.data));
      expect(t.data.constructor).toBe(TENSORS[i]!.data.constructor);
    });
  });

  it('writes a file an independent reader understands: LE length, JSON header, contiguous LE data', async () => {
    const path = join(dir, 'model.safetensors');
    await writeSafetensors(path, TENSORS, { epoch: '3' });
    const bytes = readFileSync(path);
    const headerLength = Number(bytes.readBigUInt64LE(0));
    expect((8 + headerLength) % 8).toBe(0); // data aligned to 8 bytes
    const { header, metadata, values } = minimalRead(bytes);
    expect(metadata).toEqual({ epoch: '3' });
    expect(header['fc1.weight']).toEqual({ dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] });
    expect(header['fc1.bias']).toEqual({ dtype: 'F32', shape: [3], data_offsets: [24, 36] });
    expect(header['counts']).toEqual({ dtype: 'I32', shape: [2, 2], data_offsets: [36, 52] });
    expect(header['scalar']).toEqual({ dtype: 'F32', shape: [], data_offsets: [52, 56] });
    expect(header['empty']).toEqual({ dtype: 'F32', shape: [0, 4], data_offsets: [56, 56] });
    expect(bytes.length).toBe(8 + headerLength + 56); // no holes, nothing after
    expect(values['fc1.weight']).toEqual([1, -2, 3.5, 0, Math.fround(1e-8), -0]);
    expect(values['counts']).toEqual([1, -1, 2147483647, -2147483648]);
    expect(values['fc1.bias']![2]).toBe(Number.POSITIVE_INFINITY);
    expect((await readSafetensors(path)).tensors).toHaveLength(5);
  });

  it('writes atomically: no temporary file is left, and an existing file is replaced whole', async () => {
    const path = join(dir, 'atomic.safetensors');
    await writeSafetensors(path, TENSORS);
    await writeSafetensors(path, TENSORS.slice(0, 1));
    expect((await readSafetensors(path)).tensors).toHaveLength(1);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    await expect(writeSafetensors(join(dir, 'no-such-dir', 'x.safetensors'), TENSORS)).rejects.toThrow();
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('reads a file written by hand the way other writers do (unpadded header, tensors out of order)', () => {
    const header = JSON.stringify({ b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] }, a: { dtype: 'I32', shape: [1], data_offsets: [0, 4] } });
    const bytes = Buffer.alloc(8 + header.length + 8);
    bytes.writeBigUInt64LE(BigInt(header.length), 0);
    bytes.write(header, 8);
    bytes.writeInt32LE(7, 8 + header.length);
    bytes.writeFloatLE(0.5, 12 + header.length);
    const file = decodeSafetensors(bytes);
    expect(file.tensors.map((t) => [t.name, t.data[0]])).toEqual([['a', 7], ['b', 0.5]]);
  });

  it('refuses malformed files with a message that says what is wrong', () => {
    const good = Buffer.from(encodeSafetensors(TENSORS.slice(0, 2)));
    expect(() => decodeSafetensors(good.subarray(0, 5))).toThrow(/too short/);
    expect(() => decodeSafetensors(good.subarray(0, good.length - 4))).toThrow(SafetensorsError);
    const huge = Buffer.from(good);
    huge.writeBigUInt64LE(10n ** 12n, 0);
    expect(() => decodeSafetensors(huge)).toThrow(/header length/);
    const f16 = (dtype: string) => {
      const h = JSON.stringify({ x: { dtype, shape: [2], data_offsets: [0, 4] } });
      const b = Buffer.alloc(8 + h.length + 4);
      b.writeBigUInt64LE(BigInt(h.length), 0);
      b.write(h, 8);
      return b;
    };
    expect(() => decodeSafetensors(f16('F16'))).toThrow(/F16.*F32 and I32 only/);
    expect(() => decodeSafetensors(f16('F32'))).toThrow(/needs 8 bytes/);
    const notJson = Buffer.alloc(12);
    notJson.writeBigUInt64LE(4n, 0);
    notJson.write('{{{{', 8);
    expect(() => decodeSafetensors(notJson)).toThrow(/not valid JSON/);
    expect(() => encodeSafetensors([{ name: 'x', dtype: 'F32', shape: [3], data: new Float32Array(2) }])).toThrow(/holds 3 values/);
    expect(() => encodeSafetensors([TENSORS[0]!, TENSORS[0]!])).toThrow(/twice/);
  });
});
