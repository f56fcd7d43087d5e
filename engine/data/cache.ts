// The parsed-dataset cache: one `.nwds` file per source (and reader options), holding a small
// JSON header and the raw typed-array payload, so a second load is a file read and a scale
// instead of a JSON parse, gunzip or image decode. Files are written atomically (temp file +
// rename) and checked on read (magic, version, identity, lengths, CRC-32); anything odd makes
// the cache a miss that is rebuilt, never an error the user sees.
//
// Layout (little-endian; every machine Netwright runs on is):
//   0  "NWDS"            magic
//   4  u32 version       CACHE_FORMAT_VERSION
//   8  u32 H             header length in bytes
//  12  header JSON       CacheHeader, UTF-8, H bytes
//   …  payload           starts at align4(12 + H); blocks at 4-byte-aligned offsets into it

import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { Task } from './dataset.js';
import { consistent, type RawDataset, type RawSplits } from './raw.js';

export const CACHE_FORMAT_VERSION = 1;
const MAGIC = 'NWDS';
const EXTENSION = '.nwds';

type BlockType = 'u8' | 'f32' | 'i32';
interface Block {
  readonly type: BlockType;
  /** Byte offset into the payload. */
  readonly offset: number;
  /** Element count. */
  readonly length: number;
}
interface SplitHeader {
  readonly role: 'train' | 'test';
  readonly name: string;
  readonly inputShape: readonly number[];
  readonly size: number;
  readonly task: Task;
  readonly classes?: readonly string[];
  readonly targetShape?: readonly number[];
  readonly featureNames?: readonly string[];
  readonly x: Block;
  readonly y: Block;
}
interface CacheHeader {
  /** The source identity (files, sizes, mtimes, options, reader version) this was built from. */
  readonly identity: string;
  readonly payloadBytes: number;
  readonly crc32: number;
  readonly splits: readonly SplitHeader[];
}

/**
 * Where parsed datasets are kept when the caller names no folder: the platform's per-user
 * cache (`$XDG_CACHE_HOME/netwright/datasets`, else `~/.cache/netwright/datasets`; macOS
 * `~/Library/Caches/netwright/datasets`; Windows `%LOCALAPPDATA%\netwright\cache\datasets`).
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'netwright', 'datasets');
  if (platform === 'win32' && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, 'netwright', 'cache', 'datasets');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'netwright', 'datasets');
  return join(homedir(), '.cache', 'netwright', 'datasets');
}

/**
 * The cache file for one source: `<label>-<hash of sourceKey>.nwds`. `sourceKey` names the
 * source and options but not its size/mtime, so a changed file overwrites its old entry
 * instead of leaving stale copies behind; the full identity is checked inside the file.
 */
export function cacheFile(dir: string, label: string, sourceKey: string): string {
  const slug = label.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'data';
  const hash = createHash('sha256').update(sourceKey).digest('hex').slice(0, 16);
  return join(dir, `${slug}-${hash}${EXTENSION}`);
}

const align4 = (n: number) => (n + 3) & ~3;

function bytesOf(a: Uint8Array | Float32Array | Int32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}
function typeOf(a: Uint8Array | Float32Array | Int32Array): BlockType {
  return a instanceof Uint8Array ? 'u8' : a instanceof Float32Array ? 'f32' : 'i32';
}

/**
 * Serialises raw splits as two buffers, the prefix (magic, version, header) and the payload,
 * so a large dataset is written without one more full-size copy.
 */
function encodeParts(identity: string, raw: RawSplits): [Buffer, Buffer] {
  const parts: Uint8Array[] = [];
  let offset = 0;
  const block = (a: Uint8Array | Float32Array | Int32Array): Block => {
    const b: Block = { type: typeOf(a), offset, length: a.length };
    parts.push(bytesOf(a));
    offset = align4(offset + a.byteLength);
    return b;
  };
  const split = (role: 'train' | 'test', d: RawDataset): SplitHeader => ({
    role,
    name: d.name,
    inputShape: d.inputShape,
    size: d.size,
    task: d.task,
    ...(d.classes ? { classes: d.classes } : {}),
    ...(d.targetShape ? { targetShape: d.targetShape } : {}),
    ...(d.featureNames ? { featureNames: d.featureNames } : {}),
    x: block(d.x),
    y: block(d.y),
  });
  const splits = [split('train', raw.train), ...(raw.test ? [split('test', raw.test)] : [])];
  const payloadBytes = offset;
  const payload = Buffer.alloc(payloadBytes);
  let at = 0;
  for (const p of parts) {
    payload.set(p, at);
    at = align4(at + p.byteLength);
  }
  const header: CacheHeader = { identity, payloadBytes, crc32: crc32(payload), splits };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(align4(12 + json.length));
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(CACHE_FORMAT_VERSION, 4);
  prefix.writeUInt32LE(json.length, 8);
  prefix.set(json, 12);
  return [prefix, payload];
}

/** Serialises raw splits into one buffer, as a cache file holds them (for tests). */
export function encodeCache(identity: string, raw: RawSplits): Buffer {
  return Buffer.concat(encodeParts(identity, raw));
}

class CacheMiss extends Error {}

function isShape(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((d) => Number.isInteger(d) && d >= 0);
}

/**
 * Decodes a cache file; undefined when it was built from another identity; throws CacheMiss
 * with the reason when it is damaged. Float blocks are copied out so each owns exactly its
 * own ArrayBuffer (the engine transfers them between threads whole); byte blocks are views,
 * scaled into fresh arrays by materialize().
 */
export function decodeCache(bytes: Buffer, identity: string): RawSplits | undefined {
  if (bytes.length < 12 || bytes.toString('latin1', 0, 4) !== MAGIC) throw new CacheMiss('not a Netwright cache file');
  if (bytes.readUInt32LE(4) !== CACHE_FORMAT_VERSION) throw new CacheMiss(`format version ${bytes.readUInt32LE(4)}`);
  const headerBytes = bytes.readUInt32LE(8);
  if (12 + headerBytes > bytes.length) throw new CacheMiss('truncated header');
  let header: CacheHeader;
  try {
    header = JSON.parse(bytes.toString('utf8', 12, 12 + headerBytes)) as CacheHeader;
  } catch {
    throw new CacheMiss('unreadable header');
  }
  if (typeof header !== 'object' || header === null || typeof header.identity !== 'string') throw new CacheMiss('unreadable header');
  if (header.identity !== identity) return undefined;
  const start = align4(12 + headerBytes);
  if (!Number.isInteger(header.payloadBytes) || bytes.length !== start + header.payloadBytes) throw new CacheMiss('truncated payload');
  const payload = bytes.subarray(start);
  if (crc32(payload) !== header.crc32) throw new CacheMiss('checksum mismatch');

  const take = (b: Block): Uint8Array | Float32Array | Int32Array => {
    const width = b.type === 'u8' ? 1 : 4;
    if (!Number.isInteger(b.offset) || !Number.isInteger(b.length) || b.offset < 0 || b.length < 0 || b.offset + b.length * width > payload.length) {
      throw new CacheMiss('block out of range');
    }
    const from = payload.byteOffset + b.offset;
    // Bytes are scaled into a new Float32Array by materialize(), so a view is enough.
    if (b.type === 'u8') return new Uint8Array(payload.buffer, from, b.length);
    const copy = payload.buffer.slice(from, from + b.length * width);
    if (b.type === 'f32') return new Float32Array(copy);
    if (b.type === 'i32') return new Int32Array(copy);
    throw new CacheMiss(`unknown block type ${String(b.type)}`);
  };
  const out: Partial<Record<'train' | 'test', RawDataset>> = {};
  const splits: readonly SplitHeader[] = Array.isArray(header.splits) ? header.splits : [];
  for (const s of splits) {
    if (s.role !== 'train' && s.role !== 'test') throw new CacheMiss('bad split role');
    if (!isShape(s.inputShape) || (s.targetShape !== undefined && !isShape(s.targetShape))) throw new CacheMiss('bad shape');
    const x = take(s.x);
    const y = take(s.y);
    if (x instanceof Int32Array || y instanceof Uint8Array) throw new CacheMiss('bad block type');
    const d: RawDataset = {
      name: s.name,
      inputShape: s.inputShape,
      size: s.size,
      task: s.task,
      x,
      y,
      ...(s.classes ? { classes: s.classes } : {}),
      ...(s.targetShape ? { targetShape: s.targetShape } : {}),
      ...(s.featureNames ? { featureNames: s.featureNames } : {}),
    };
    if (!consistent(d)) throw new CacheMiss('inconsistent contents');
    out[s.role] = d;
  }
  if (!out.train) throw new CacheMiss('no training split');
  return out.test ? { train: out.train, test: out.test } : { train: out.train };
}

/** A notice for the user or a log (cache rebuilt, cache not writable); never an error. */
export type Log = (message: string) => void;

/** Reads a cache file: the data, or undefined on a miss (absent, stale, damaged — logged). */
export async function readCache(file: string, identity: string, log?: Log): Promise<RawSplits | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch {
    return undefined;
  }
  try {
    return decodeCache(bytes, identity);
  } catch (err) {
    log?.(`dataset cache ${file} is damaged (${err instanceof Error ? err.message : String(err)}); rebuilding it`);
    return undefined;
  }
}

/**
 * Writes a cache file atomically: a temp file in the same folder, then rename, so a reader
 * (or a crash) never sees half a file. A failure (read-only disk, full disk) is only logged.
 */
export async function writeCache(file: string, identity: string, raw: RawSplits, log?: Log): Promise<boolean> {
  const dir = dirname(file);
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await mkdir(dir, { recursive: true });
    const [prefix, payload] = encodeParts(identity, raw);
    const handle = await open(tmp, 'w');
    try {
      const { bytesWritten } = await handle.writev([prefix, payload]);
      // writev may stop short (over 2 GiB, a full disk): then keep no cache rather than half a one.
      if (bytesWritten !== prefix.length + payload.length) throw new Error(`wrote ${bytesWritten} of ${prefix.length + payload.length} bytes`);
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
    return true;
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    log?.(`could not write the dataset cache ${file} (${err instanceof Error ? err.message : String(err)}); the next load parses the source again`);
    return false;
  }
}
