// The messages between a Node host (the web host, tests, benchmarks) and the engine child
// process it forks: connections multiplexed over the one IPC channel, each carrying binary
// frames exactly as they came off the WebSocket, so the engine — not the relay — decodes and
// validates them. Both sides check these envelopes too; a bad one is dropped and logged.

import * as v from 'valibot';

const conn = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(Number.MAX_SAFE_INTEGER));
// Node's "advanced" IPC serialization keeps a Buffer/Uint8Array as one (not a JSON array of bytes).
const frame = v.custom<Uint8Array>((value) => value instanceof Uint8Array, 'a frame must be bytes');

export const toEngineSchema = v.variant('type', [
  v.strictObject({ type: v.literal('open'), conn }),
  v.strictObject({ type: v.literal('frame'), conn, frame }),
  v.strictObject({ type: v.literal('close'), conn }),
]);
export type ToEngine = v.InferOutput<typeof toEngineSchema>;

export const fromEngineSchema = v.variant('type', [
  /** The engine is listening; its pid and facts for the handshake. */
  v.strictObject({ type: v.literal('ready'), pid: v.pipe(v.number(), v.integer()) }),
  v.strictObject({ type: v.literal('frame'), conn, frame }),
]);
export type FromEngine = v.InferOutput<typeof fromEngineSchema>;
