// Binary frames: messages with ArrayBuffers survive a round trip byte for byte, and anything
// malformed — short, oversized, wrong magic, bad JSON, buffer paths that lead astray or into a
// prototype — is refused with a FrameError, never a crash or a polluted object.
import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, FrameError, MAX_FRAME_BYTES } from './frames.js';

function frameOf(header: unknown, ...buffers: Uint8Array[]): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const total = 8 + json.length + buffers.reduce((n, b) => n + b.length, 0);
  const out = new Uint8Array(total);
  out.set([0x4e, 0x57, 1, 0]);
  new DataView(out.buffer).setUint32(4, json.length, true);
  out.set(json, 8);
  let offset = 8 + json.length;
  for (const b of buffers) {
    out.set(b, offset);
    offset += b.length;
  }
  return out;
}

describe('frames', () => {
  it('round-trips a message with tensors as raw bytes, not numbers', () => {
    const weights = Float32Array.from([1.5, -2.25, 3e-8, Math.PI]);
    const labels = Int32Array.from([7, -1]);
    const message = {
      t: 'event',
      id: 3,
      data: { items: [{ name: 'w', data: weights.slice().buffer }, { name: 'y', data: labels.slice().buffer }], empty: new ArrayBuffer(0), text: 'ß→日本', n: null },
    };
    const frame = encodeFrame(message);
    // The floats are not in the JSON header as numbers.
    expect(new TextDecoder().decode(frame)).not.toContain('1.5');
    const back = decodeFrame(frame) as typeof message;
    expect(new Float32Array(back.data.items[0]!.data)).toEqual(weights);
    expect(new Int32Array(back.data.items[1]!.data)).toEqual(labels);
    expect(back.data.empty).toBeInstanceOf(ArrayBuffer);
    expect(back.data.empty.byteLength).toBe(0);
    expect(back.data.text).toBe('ß→日本');
    expect(back.data.n).toBeNull();
  });

  it('decodes from a Uint8Array view at an offset (a Node Buffer from a socket)', () => {
    const frame = encodeFrame({ a: new Uint8Array([1, 2, 3]).buffer });
    const padded = new Uint8Array(frame.length + 5);
    padded.set(frame, 5);
    const back = decodeFrame(padded.subarray(5)) as { a: ArrayBuffer };
    expect([...new Uint8Array(back.a)]).toEqual([1, 2, 3]);
  });

  it('gives exactly-sized buffers from a pooled Node Buffer (whose slice() is a view)', () => {
    // Node's Buffer, without Node globals here (this folder is shared with the renderer).
    class PooledBuffer extends Uint8Array {
      override slice(start?: number, end?: number): Uint8Array<ArrayBuffer> {
        return this.subarray(start, end);
      }
    }
    const frame = encodeFrame({ a: new Float32Array([1, 2]).buffer });
    const pool = new ArrayBuffer(frame.length + 64);
    const pooled = new PooledBuffer(pool, 16, frame.length);
    pooled.set(frame);
    const back = decodeFrame(pooled) as { a: ArrayBuffer };
    expect(back.a.byteLength).toBe(8);
    expect([...new Float32Array(back.a)]).toEqual([1, 2]);
  });

  it('refuses values JSON would silently change', () => {
    expect(() => encodeFrame({ x: Number.NaN })).toThrow(TypeError);
    expect(() => encodeFrame({ x: Number.POSITIVE_INFINITY })).toThrow(/non-finite/);
    expect(() => encodeFrame({ x: new Float32Array(2) })).toThrow(/Float32Array/);
    expect(() => encodeFrame({ x: new Map() })).toThrow(TypeError);
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(() => encodeFrame(cyclic)).toThrow(/deeply/);
  });

  it.each([
    ['empty', new Uint8Array(0)],
    ['short', new Uint8Array([0x4e, 0x57, 1])],
    ['bad magic', frameOf({ m: 1 }).map((b, i) => (i === 0 ? 0x41 : b))],
    ['future version', frameOf({ m: 1 }).map((b, i) => (i === 2 ? 9 : b))],
    ['header past the end', (() => { const f = frameOf({ m: 1 }); new DataView(f.buffer).setUint32(4, 1000, true); return f; })()],
    ['not JSON', (() => { const f = frameOf({ m: 1 }); f[8] = 0x7b; f[9] = 0x7b; return f; })()],
    ['invalid UTF-8', (() => { const f = frameOf({ m: 'aa' }); f[14] = 0xff; return f; })()],
    ['header not an object', frameOf([1, 2])],
    ['no message', frameOf({ b: [] })],
    ['buffer list not an array', frameOf({ m: { a: null }, b: 'x' })],
    ['buffer length too long', frameOf({ m: { a: null }, b: [[['a'], 10]] }, new Uint8Array(3))],
    ['negative length', frameOf({ m: { a: null }, b: [[['a'], -1]] })],
    ['unclaimed bytes', frameOf({ m: { a: null }, b: [[['a'], 1]] }, new Uint8Array(3))],
    ['path to a missing key', frameOf({ m: { a: null }, b: [[['b'], 1]] }, new Uint8Array(1))],
    ['path to a non-null value', frameOf({ m: { a: 5 }, b: [[['a'], 1]] }, new Uint8Array(1))],
    ['empty path', frameOf({ m: null, b: [[[], 1]] }, new Uint8Array(1))],
    ['array index out of range', frameOf({ m: [null], b: [[[3], 1]] }, new Uint8Array(1))],
    ['path through a number', frameOf({ m: { a: 1 }, b: [[['a', 'b'], 1]] }, new Uint8Array(1))],
  ])('refuses a frame: %s', (_name, frame) => {
    expect(() => decodeFrame(frame)).toThrow(FrameError);
  });

  it('never lets a buffer path reach a prototype', () => {
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      const frame = frameOf({ m: JSON.parse(`{"${key}": null}`) as unknown, b: [[[key], 1]] }, new Uint8Array(1));
      expect(() => decodeFrame(frame)).toThrow(FrameError);
    }
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('refuses frames over the size limit in both directions', () => {
    expect(() => encodeFrame({ big: new ArrayBuffer(MAX_FRAME_BYTES) })).toThrow(RangeError);
    expect(() => decodeFrame(new Uint8Array(MAX_FRAME_BYTES + 1))).toThrow(/limit/);
  });
});
