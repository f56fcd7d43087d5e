// The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header
// naming each tensor's dtype, shape and byte range (plus a `__metadata__` map of strings), then
// the tensors' bytes, contiguous and little-endian. Netwright's checkpoints use it so weights
// open in PyTorch, JAX or numpy without conversion. Only F32 and I32 — the engine's dtypes.

import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../core/atomicWrite.js';

export type SafetensorsDType = 'F32' | 'I32';

export interface SafetensorsTensor {
  readonly name: string;
  readonly dtype: SafetensorsDType;
  readonly shape: readonly number[];
  readonly data: Float32Array | Int32Array;
}

export interface SafetensorsFile {
  /** In file order (ascending byte offset). */
  readonly tensors: readonly SafetensorsTensor[];
  readonly metadata: Readonly<Record<string, string>>;
}

/** A malformed or unsupported file: the message says what and where. */
export class SafetensorsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SafetensorsError';
  }
}

const HEADER_LIMIT = 100 * 1024 * 1024; // the reference implementation's cap on header size
const BYTES = 4; // F32 and I32

/** Encodes tensors and metadata as a safetensors byte string. */
export function encodeSafetensors(tensors: readonly SafetensorsTensor[], metadata: Readonly<Record<string, string>> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header['__metadata__'] = { ...metadata };
  const seen = new Set<string>();
  let offset = 0;
  for (const t of tensors) {
    if (t.name === '__metadata__' || t.name === '') throw new SafetensorsError(`invalid tensor name "${t.name}"`);
    if (seen.has(t.name)) throw new SafetensorsError(`tensor "${t.name}" appears twice`);
    seen.add(t.name);
    const count = elementCount(t.shape, t.name);
    if (count !== t.data.length) throw new SafetensorsError(`tensor "${t.name}": shape [${t.shape.join(',')}] holds ${count} values, data has ${t.data.length}`);
    if ((t.dtype === 'F32') !== t.data instanceof Float32Array) throw new SafetensorsError(`tensor "${t.name}": dtype ${t.dtype} does not match its data`);
    header[t.name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: [offset, offset + count * BYTES] };
    offset += count * BYTES;
  }
  // Pad the header with spaces to a multiple of 8 so the data that follows is aligned (the
  // format allows trailing whitespace in the header; Hugging Face's writer does the same).
  let json = JSON.stringify(header);
  const headerBytes = new TextEncoder().encode(json);
  const padded = Math.ceil(headerBytes.length / 8) * 8;
  json += ' '.repeat(padded - headerBytes.length);
  const encodedHeader = new TextEncoder().encode(json);

  const out = new Uint8Array(8 + encodedHeader.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(encodedHeader.length), true);
  out.set(encodedHeader, 8);
  let at = 8 + encodedHeader.length;
  for (const t of tensors) {
    // Explicitly little-endian, whatever the machine's byte order.
    if (t.data instanceof Float32Array) for (let i = 0; i < t.data.length; i++, at += 4) view.setFloat32(at, t.data[i]!, true);
    else for (let i = 0; i < t.data.length; i++, at += 4) view.setInt32(at, t.data[i]!, true);
  }
  return out;
}

/** Parses a safetensors byte string, checking every offset and refusing what it cannot read. */
export function decodeSafetensors(bytes: Uint8Array, source = 'the file'): SafetensorsFile {
  if (bytes.length < 8) throw new SafetensorsError(`${source} is too short to be a safetensors file (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(Math.min(HEADER_LIMIT, bytes.length - 8))) {
    throw new SafetensorsError(`${source}: the header length ${headerLength} does not fit in the file (${bytes.length} bytes); it is not a safetensors file or it is truncated`);
  }
  const start = 8 + Number(headerLength);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, start)));
  } catch (error) {
    throw new SafetensorsError(`${source}: the header is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new SafetensorsError(`${source}: the header is not a JSON object`);

  const dataLength = bytes.length - start;
  const metadata: Record<string, string> = {};
  const entries: { name: string; dtype: SafetensorsDType; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new SafetensorsError(`${source}: __metadata__ is not an object`);
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (typeof v !== 'string') throw new SafetensorsError(`${source}: __metadata__.${k} is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    const entry = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (entry.dtype !== 'F32' && entry.dtype !== 'I32') {
      throw new SafetensorsError(`${source}: tensor "${name}" has dtype ${JSON.stringify(entry.dtype)}; Netwright reads F32 and I32 only`);
    }
    if (!Array.isArray(entry.shape) || !entry.shape.every((d) => Number.isInteger(d) && d >= 0)) throw new SafetensorsError(`${source}: tensor "${name}" has an invalid shape`);
    const offsets = entry.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && o >= 0) || offsets[0] > offsets[1] || offsets[1] > dataLength) {
      throw new SafetensorsError(`${source}: tensor "${name}" has data offsets ${JSON.stringify(offsets)} outside the ${dataLength} data bytes`);
    }
    const shape = entry.shape as number[];
    const [begin, end] = offsets as [number, number];
    if (end - begin !== elementCount(shape, name) * BYTES) {
      throw new SafetensorsError(`${source}: tensor "${name}" of shape [${shape.join(',')}] needs ${elementCount(shape, name) * BYTES} bytes, its offsets span ${end - begin}`);
    }
    entries.push({ name, dtype: entry.dtype, shape, begin, end });
  }
  // The format forbids holes and overlaps: the tensors must tile the data exactly.
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const e of entries) {
    if (e.begin !== expected) throw new SafetensorsError(`${source}: tensor "${e.name}" starts at byte ${e.begin}, expected ${expected} (holes or overlaps)`);
    expected = e.end;
  }
  if (expected !== dataLength) throw new SafetensorsError(`${source}: ${dataLength - expected} bytes after the last tensor`);

  const tensors = entries.map((e): SafetensorsTensor => {
    const count = (e.end - e.begin) / BYTES;
    const at = start + e.begin;
    if (e.dtype === 'F32') {
      const data = new Float32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat32(at + i * 4, true);
      return { name: e.name, dtype: e.dtype, shape: e.shape, data };
    }
    const data = new Int32Array(count);
    for (let i = 0; i < count; i++) data[i] = view.getInt32(at + i * 4, true);
    return { name: e.name, dtype: e.dtype, shape: e.shape, data };
  });
  return { tensors, metadata };
}

/**
 * Writes a safetensors file atomically: to a temporary file beside it, flushed to disk, then
 * renamed over the target — so a crash or a full disk never leaves half a checkpoint.
 */
export async function writeSafetensors(path: string, tensors: readonly SafetensorsTensor[], metadata: Readonly<Record<string, string>> = {}): Promise<void> {
  await writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}

export async function readSafetensors(path: string): Promise<SafetensorsFile> {
  return decodeSafetensors(await readFile(path), path);
}

function elementCount(shape: readonly number[], name: string): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new SafetensorsError(`tensor "${name}": invalid dimension ${d}`);
    n *= d;
  }
  return n;
}
