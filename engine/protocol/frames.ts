// Binary frames for transports that carry bytes, not objects: the WebSocket of the web host
// and its relay to the engine child process. A frame is a small JSON header plus the raw bytes
// of every ArrayBuffer in the message, so tensors never become JSON number arrays (DESIGN.md §1).
//
// Layout (little-endian):  'N' 'W' | frame version (1) | 0 | u32 header length H |
//                          H bytes of UTF-8 JSON { m: message, b: [[path, byteLength], …] } |
//                          the buffers' bytes, one after another, in the order of `b`.
// Each buffer's place in the message is a path of keys and indices, where the JSON holds null.

const MAGIC_N = 0x4e;
const MAGIC_W = 0x57;
export const FRAME_VERSION = 1;
const PREFIX_BYTES = 8;

/**
 * The largest frame either side accepts: big enough for a batch of CIFAR images or a layer's
 * weights, small enough that a hostile sender cannot make us allocate without bound.
 */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

/** Deeper nesting than any message of ours; also stops a cyclic object from recursing forever. */
const MAX_DEPTH = 64;

/** Keys that would reach an object's prototype when assigned to; never valid in a path. */
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

type PathSegment = string | number;

/** A frame that could not be decoded; the message says what was wrong with it. */
export class FrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FrameError';
  }
}

const encoder = new TextEncoder();
// `fatal`: a frame with invalid UTF-8 is refused rather than silently repaired.
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Encodes a message: plain objects, arrays, strings, finite numbers, booleans, null and
 * ArrayBuffers. Anything else (a typed array, a Map, a function, NaN) is a programming error
 * and throws a TypeError: send `typedArray.buffer` sliced to the view, never the view itself.
 */
export function encodeFrame(message: unknown): Uint8Array {
  const buffers: ArrayBuffer[] = [];
  const places: [PathSegment[], number][] = [];
  const path: PathSegment[] = [];

  const strip = (value: unknown, depth: number): unknown => {
    if (depth > MAX_DEPTH) throw new TypeError('encodeFrame: message nested too deeply (or cyclic)');
    if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
    if (typeof value === 'number') {
      // JSON would turn NaN and ±Infinity into null without a word; refuse instead.
      if (!Number.isFinite(value)) throw new TypeError(`encodeFrame: non-finite number at ${formatPath(path)}`);
      return value;
    }
    if (value instanceof ArrayBuffer) {
      places.push([path.slice(), value.byteLength]);
      buffers.push(value);
      return null;
    }
    if (Array.isArray(value)) {
      const out: unknown[] = new Array<unknown>(value.length);
      for (let i = 0; i < value.length; i++) {
        path.push(i);
        out[i] = strip(value[i], depth + 1);
        path.pop();
      }
      return out;
    }
    if (typeof value === 'object' && isPlainObject(value)) {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        if (item === undefined) continue; // as JSON.stringify does
        path.push(key);
        out[key] = strip(item, depth + 1);
        path.pop();
      }
      return out;
    }
    throw new TypeError(`encodeFrame: cannot send ${describe(value)} at ${formatPath(path)}`);
  };

  const header = encoder.encode(JSON.stringify({ m: strip(message, 0), b: places }));
  let total = PREFIX_BYTES + header.byteLength;
  for (const buffer of buffers) total += buffer.byteLength;
  if (total > MAX_FRAME_BYTES) throw new RangeError(`encodeFrame: ${total} bytes is over the ${MAX_FRAME_BYTES}-byte frame limit`);

  const frame = new Uint8Array(total);
  frame[0] = MAGIC_N;
  frame[1] = MAGIC_W;
  frame[2] = FRAME_VERSION;
  frame[3] = 0;
  new DataView(frame.buffer).setUint32(4, header.byteLength, true);
  frame.set(header, PREFIX_BYTES);
  let offset = PREFIX_BYTES + header.byteLength;
  for (const buffer of buffers) {
    frame.set(new Uint8Array(buffer), offset);
    offset += buffer.byteLength;
  }
  return frame;
}

/**
 * Decodes a frame from an untrusted peer. Throws FrameError for anything malformed: a short
 * or oversized frame, a wrong magic or version, bad UTF-8 or JSON, buffer lengths that do not
 * add up, or a buffer path that does not lead to a null inside the message.
 */
export function decodeFrame(data: ArrayBuffer | Uint8Array): unknown {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  if (bytes.byteLength > MAX_FRAME_BYTES) throw new FrameError(`frame of ${bytes.byteLength} bytes is over the ${MAX_FRAME_BYTES}-byte limit`);
  if (bytes.byteLength < PREFIX_BYTES) throw new FrameError(`frame of ${bytes.byteLength} bytes is shorter than its ${PREFIX_BYTES}-byte prefix`);
  if (bytes[0] !== MAGIC_N || bytes[1] !== MAGIC_W) throw new FrameError('not a Netwright frame (bad magic)');
  if (bytes[2] !== FRAME_VERSION) throw new FrameError(`frame version ${bytes[2]} is not supported (this side speaks ${FRAME_VERSION})`);
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  if (headerLength > bytes.byteLength - PREFIX_BYTES) throw new FrameError('frame header runs past the end of the frame');

  let header: unknown;
  try {
    header = JSON.parse(decoder.decode(bytes.subarray(PREFIX_BYTES, PREFIX_BYTES + headerLength)));
  } catch (error) {
    throw new FrameError(`frame header is not UTF-8 JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header) || !Object.hasOwn(header, 'm')) {
    throw new FrameError('frame header is not an object with a message');
  }
  const { m: message, b: places = [] } = header as { m: unknown; b?: unknown };
  if (!Array.isArray(places)) throw new FrameError('frame header: buffer list is not an array');

  let offset = PREFIX_BYTES + headerLength;
  for (const place of places) {
    if (!Array.isArray(place) || place.length !== 2) throw new FrameError('frame header: a buffer entry is not [path, byteLength]');
    const [path, length] = place as [unknown, unknown];
    if (typeof length !== 'number' || !Number.isInteger(length) || length < 0 || length > bytes.byteLength - offset) {
      throw new FrameError('frame header: a buffer length does not fit in the frame');
    }
    // A copy into a fresh, exactly-sized ArrayBuffer the receiver owns. Not bytes.slice(): on a
    // Node Buffer (what `ws` delivers) slice() is a view, and .buffer its whole pooled slab.
    placeBuffer(message, path, new Uint8Array(bytes.subarray(offset, offset + length)).buffer);
    offset += length;
  }
  if (offset !== bytes.byteLength) throw new FrameError(`frame has ${bytes.byteLength - offset} bytes that no buffer claims`);
  return message;
}

function placeBuffer(root: unknown, path: unknown, buffer: ArrayBuffer): void {
  if (!Array.isArray(path) || path.length === 0 || path.length > MAX_DEPTH) throw new FrameError('frame header: bad buffer path');
  let container: unknown = root;
  for (let i = 0; i < path.length; i++) {
    const key: unknown = path[i];
    const last = i === path.length - 1;
    let next: unknown;
    if (Array.isArray(container)) {
      if (typeof key !== 'number' || !Number.isInteger(key) || key < 0 || key >= container.length) throw new FrameError('frame header: buffer path leaves the message');
      next = container[key];
      if (last) {
        if (next !== null) throw new FrameError('frame header: buffer path does not end at a placeholder');
        container[key] = buffer;
        return;
      }
    } else if (typeof container === 'object' && container !== null) {
      // Only own keys: a path through `__proto__` must never reach (or replace) a prototype.
      if (typeof key !== 'string' || UNSAFE_KEYS.has(key) || !Object.hasOwn(container, key)) throw new FrameError('frame header: buffer path leaves the message');
      const record = container as Record<string, unknown>;
      next = record[key];
      if (last) {
        if (next !== null) throw new FrameError('frame header: buffer path does not end at a placeholder');
        record[key] = buffer;
        return;
      }
    } else {
      throw new FrameError('frame header: buffer path leaves the message');
    }
    container = next;
  }
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function describe(value: unknown): string {
  if (typeof value === 'object' && value !== null) return `a ${value.constructor?.name ?? 'non-plain object'}`;
  return `a ${typeof value}`;
}

function formatPath(path: readonly PathSegment[]): string {
  return path.length === 0 ? 'the top level' : path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('');
}
