// The engine as a child process, through the same IPC relay the web host uses: 10,000 fuzzed
// messages (random JSON, wrong types, huge arrays, unknown methods, broken frames) are each
// answered with an error and the engine trains afterwards; and a `kill -9` mid-run closes the
// connection with CLOSE_ENGINE_CRASHED at once and a new engine is running shortly after.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Random } from '../core/random.js';
import {
  ChannelClient,
  CLOSE_ENGINE_CRASHED,
  decodeFrame,
  ENGINE,
  ENGINE_METHODS,
  ENGINE_EVENTS,
  encodeFrame,
  type EngineLifecycle,
  type EngineProtocol,
  type GraphDocumentInput,
  type TrainingStatus,
} from '../protocol/index.js';
import { connectInProcess, EngineProcess, type EngineConnection } from './engineProcess.js';

let engine: EngineProcess;
const lifecycle: EngineLifecycle[] = [];

/** A small MLP on a generated dataset (no files, no downloads): trains in about a second. */
const GRAPH: GraphDocumentInput = {
  format: 'netwright.graph',
  version: 1,
  nodes: [
    { id: 'x', type: 'Input', params: { shape: [2] } },
    { id: 'h', type: 'Dense', params: { units: 16 } },
    { id: 'a', type: 'ReLU', params: {} },
    { id: 'y', type: 'Dense', params: { units: 2 } },
    { id: 'loss', type: 'CrossEntropy', params: {} },
  ],
  edges: [
    { id: 'e1', source: { node: 'x', port: 'out' }, target: { node: 'h', port: 'in' } },
    { id: 'e2', source: { node: 'h', port: 'out' }, target: { node: 'a', port: 'in' } },
    { id: 'e3', source: { node: 'a', port: 'out' }, target: { node: 'y', port: 'in' } },
    { id: 'e4', source: { node: 'y', port: 'out' }, target: { node: 'loss', port: 'in' } },
  ],
  training: { dataset: { name: 'circle' }, optimizer: { type: 'adam', lr: 0.01 }, batchSize: 32, epochs: 3, seed: 1, validationSplit: 0.2 },
};

async function client(): Promise<ChannelClient<EngineProtocol>> {
  await engine.whenReady();
  const c = new ChannelClient(connectInProcess(engine), ENGINE, { client: 'vitest', timeoutMs: 60_000 });
  await c.connect();
  return c;
}

function finished(c: ChannelClient<EngineProtocol>, runId: number, states: readonly TrainingStatus['state'][]): Promise<TrainingStatus> {
  return new Promise((resolve) => {
    c.listen('state', {}, (status) => {
      if (status.runId === runId && states.includes(status.state)) resolve(status);
    });
  });
}

beforeAll(async () => {
  engine = new EngineProcess({ args: ['--threads', '1'], restartDelayMs: 50, log: () => undefined });
  engine.onLifecycle((event) => lifecycle.push(event));
  await engine.start();
}, 60_000);

afterAll(async () => {
  await engine?.stop();
});

// ---------------------------------------------------------------------------------------------
// The fuzzer: every message it makes is invalid by construction, so every answer must be an error.

const METHODS = Object.keys(ENGINE_METHODS);
const EVENTS = Object.keys(ENGINE_EVENTS);

function randomString(random: Random, max = 12): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz_.$0123456789 ÄΩ日本\u0000\u202e"\\';
  let s = '';
  for (let i = random.int(max + 1); i > 0; i--) s += alphabet[random.int(alphabet.length)];
  return s;
}

function randomJson(random: Random, depth = 0): unknown {
  switch (random.int(depth > 3 ? 5 : 7)) {
    case 0:
      return null;
    case 1:
      return random.uniform() < 0.5;
    case 2:
      return [0, -1, 1e308, -1e-308, 2 ** 53, 3.5, -0][random.int(7)];
    case 3:
      return randomString(random, 20);
    case 4:
      return random.int(1e9) - 5e8;
    case 5:
      return Array.from({ length: random.int(5) }, () => randomJson(random, depth + 1));
    default: {
      const out: Record<string, unknown> = {};
      for (let i = random.int(5); i > 0; i--) out[randomString(random, 6)] = randomJson(random, depth + 1);
      return out;
    }
  }
}

/** Arguments no method accepts: not an object, or an object with a key no schema has. */
function badArgs(random: Random): unknown {
  if (random.uniform() < 0.4) {
    const v = randomJson(random);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? [v] : v === undefined ? 0 : v;
  }
  const args = randomJson(random, 1);
  const base = typeof args === 'object' && args !== null && !Array.isArray(args) ? args : {};
  return { ...base, [`§${randomString(random, 4)}`]: randomJson(random, 2) };
}

function frameText(json: string): Uint8Array {
  const header = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + header.length);
  out.set([0x4e, 0x57, 1, 0]);
  new DataView(out.buffer).setUint32(4, header.length, true);
  out.set(header, 8);
  return out;
}

/** One fuzzed frame, and what kind it is (for the report). */
function fuzzFrame(random: Random, i: number): { kind: string; frame: Uint8Array } {
  const id = 1 + (i % 1_000_000);
  const kind = random.int(11);
  switch (kind) {
    case 0: {
      // Random JSON that is no envelope (an object never gets a valid `t`).
      const value = randomJson(random);
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) (value as Record<string, unknown>)['t'] = 'fuzz';
      return { kind: 'random JSON', frame: encodeFrame(value) };
    }
    case 1:
      return { kind: 'unknown method', frame: encodeFrame({ t: 'call', id, method: `fuzz.${randomString(random)}`, args: randomJson(random) }) };
    case 2:
      return { kind: 'wrong argument types', frame: encodeFrame({ t: 'call', id, method: METHODS[random.int(METHODS.length)], args: badArgs(random) }) };
    case 3: {
      const event = random.uniform() < 0.3 ? `fuzz${randomString(random)}` : EVENTS[random.int(EVENTS.length)];
      return { kind: 'bad listen', frame: encodeFrame({ t: 'listen', id, event, args: badArgs(random) }) };
    }
    case 4: {
      // Envelope fields of the wrong type or missing.
      const variants: unknown[] = [
        { t: 'call', id: String(id), method: 'train.status' },
        { t: 'call', id: -id, method: 'train.status' },
        { t: 'call', id: id + 0.5, method: 'train.status' },
        { t: 'call', id: 2 ** 40, method: 'train.status' },
        { t: 'call', id, method: random.int(100) },
        { t: 'call', id },
        { t: 'reply', id, ok: true, value: 1 },
        { t: 'event', id, data: {} },
        { t: ['call'], id, method: 'train.status' },
        { t: 'unlisten', id: `x${id}` },
        { t: 'call', id, method: 'train.status', args: {}, extra: true },
        { t: 'call', id, method: 'train.status', args: null },
      ];
      return { kind: 'wrong envelope types', frame: encodeFrame(variants[random.int(variants.length)]) };
    }
    case 5: {
      // Huge arrays and strings, inside otherwise plausible calls or as the whole message.
      const size = 10_000 + random.int(190_000);
      const huge = random.uniform() < 0.5 ? Array.from({ length: size }, () => random.uniform()) : 'x'.repeat(size * 8);
      const variants: unknown[] = [
        { t: 'call', id, method: 'predict', args: { input: { dtype: 'float32', shape: [size], data: huge } } },
        { t: 'call', id, method: 'validate', args: { document: {}, huge } },
        huge,
        { t: 'call', id, method: `fuzz.${size}`, args: huge },
      ];
      return { kind: 'huge arrays', frame: encodeFrame(variants[random.int(variants.length)]) };
    }
    case 6: {
      // Bytes that are not a frame at all.
      const bytes = new Uint8Array(random.int(300));
      for (let k = 0; k < bytes.length; k++) bytes[k] = random.int(256);
      if (bytes.length > 0 && bytes[0] === 0x4e) bytes[0] = 0;
      return { kind: 'garbage bytes', frame: bytes };
    }
    case 7: {
      // A frame of an invalid call, damaged: truncated or with bytes flipped.
      const frame = encodeFrame({ t: 'call', id, method: `fuzz.${randomString(random)}`, args: { a: new Float32Array(4).buffer } });
      if (random.uniform() < 0.5) return { kind: 'damaged frame', frame: frame.slice(0, random.int(frame.length)) };
      for (let k = 0; k < 3; k++) frame[random.int(frame.length)] = random.int(256);
      return { kind: 'damaged frame', frame };
    }
    case 8: {
      const variants: unknown[] = [
        { protocol: ENGINE.name, version: ENGINE.version + 1 + random.int(5), client: 'fuzz' },
        { protocol: `fuzz.${randomString(random)}`, version: ENGINE.version, client: 'fuzz' },
        { protocol: ENGINE.name, version: String(ENGINE.version), client: 'fuzz' },
        badArgs(random),
      ];
      return { kind: 'bad handshake', frame: encodeFrame({ t: 'call', id, method: 'hello', args: variants[random.int(variants.length)] }) };
    }
    case 9: {
      // Deep nesting, past what a recursive parser or validator could take.
      const depth = 1_000 + random.int(100_000);
      const nested = `${'['.repeat(depth)}${']'.repeat(depth)}`;
      return {
        kind: 'deep nesting',
        frame: frameText(random.uniform() < 0.5 ? `{"m":${nested}}` : `{"m":{"t":"call","id":${id},"method":"fuzz.deep","args":${nested}}}`),
      };
    }
    default:
      // Prototype pollution attempts, as raw JSON (JSON.parse keeps __proto__ as an own key).
      return {
        kind: 'prototype keys',
        frame: frameText(
          [
            `{"m":{"t":"call","id":${id},"method":"validate","args":{"__proto__":{"polluted":true}}}}`,
            `{"m":{"__proto__":{"t":"call"},"id":${id},"method":"train.status"}}`,
            `{"m":{"t":"call","id":${id},"method":"constructor","args":{}}}`,
            `{"m":{"t":"call","id":${id},"method":"validate","args":{"document":null,"constructor":{"prototype":{"polluted":true}}}}}`,
            `{"m":{"a":null},"b":[[["__proto__"],0]]}`,
          ][random.int(5)]!,
        ),
      };
  }
}

describe('engine process', () => {
  it(
    'answers 10,000 fuzzed messages each with an error, and trains afterwards',
    async () => {
      await engine.whenReady();
      const pidBefore = engine.pid;
      const replies: unknown[] = [];
      let wake: (() => void) | null = null;
      let closed = false;
      const connection: EngineConnection | null = engine.connect({
        frame: (bytes) => {
          replies.push(decodeFrame(bytes));
          wake?.();
        },
        closed: () => {
          closed = true;
          wake?.();
        },
      });
      expect(connection).not.toBeNull();
      const random = new Random(20240611);
      const kinds = new Map<string, number>();
      const nextReply = (): Promise<unknown> =>
        new Promise((resolve, reject) => {
          const take = () => {
            const reply = replies.shift();
            if (reply !== undefined) resolve(reply);
            else if (closed) reject(new Error('the engine closed the connection'));
            else wake = take;
          };
          take();
        });

      const started = performance.now();
      for (let i = 0; i < 10_000; i++) {
        // The first thousand before the handshake, the rest after a proper one (so known methods
        // with bad arguments reach argument validation rather than NOT_CONNECTED).
        if (i === 1000) {
          connection!.send(encodeFrame({ t: 'call', id: 1, method: 'hello', args: { protocol: ENGINE.name, version: ENGINE.version, client: 'fuzz' } }));
          expect(await nextReply()).toMatchObject({ t: 'reply', ok: true });
        }
        const { kind, frame } = fuzzFrame(random, i);
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
        connection!.send(frame);
        const reply = (await nextReply()) as { t: string; ok: boolean; error?: { code: string } };
        if (reply.t !== 'reply' || reply.ok !== false) throw new Error(`message ${i} (${kind}) was not answered with an error: ${JSON.stringify(reply).slice(0, 200)}`);
      }
      const seconds = (performance.now() - started) / 1000;
      console.log(`fuzz: 10,000 messages, every one answered with an error, in ${seconds.toFixed(1)} s — ${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}`);
      expect(replies).toHaveLength(0);
      connection!.close();
      // The same engine process, still alive…
      expect(engine.pid).toBe(pidBefore);
      expect(lifecycle.filter((e) => e.state === 'crashed')).toHaveLength(0);

      // …and it still trains.
      const c = await client();
      const { runId } = await c.call('train.start', { document: GRAPH });
      const status = await finished(c, runId, ['completed', 'failed', 'stopped']);
      expect(status).toMatchObject({ state: 'completed', epoch: 3 });
      c.close();
    },
    180_000,
  );

  it(
    'notices a kill -9 during training at once and runs a new engine shortly after',
    async () => {
      const c = await client();
      const closedWith = new Promise<{ code: number; at: number }>((resolve) => c.onClose((info) => resolve({ code: info.code, at: performance.now() })));
      const long = structuredClone(GRAPH);
      long.training!.epochs = 10_000;
      const { runId } = await c.call('train.start', { document: long });
      await finished(c, runId, ['running']);
      const pid = engine.pid!;
      const ready = new Promise<number>((resolve) => {
        const subscription = engine.onLifecycle((event) => {
          if (event.state === 'ready') {
            subscription.dispose();
            resolve(performance.now());
          }
        });
      });
      const killedAt = performance.now();
      process.kill(pid, 'SIGKILL');
      const closed = await closedWith;
      const readyAt = await ready;
      console.log(`kill -9: connection closed after ${(closed.at - killedAt).toFixed(0)} ms, new engine ready after ${(readyAt - killedAt).toFixed(0)} ms`);
      expect(closed.code).toBe(CLOSE_ENGINE_CRASHED);
      expect(closed.at - killedAt).toBeLessThan(2000);
      expect(readyAt - killedAt).toBeLessThan(5000);
      expect(engine.pid).not.toBe(pid);
      expect(lifecycle.map((e) => e.state)).toContain('crashed');
      expect(lifecycle.find((e) => e.state === 'crashed')).toMatchObject({ signal: 'SIGKILL', restarts: 1 });

      // The new engine serves and trains.
      const fresh = await client();
      const again = await fresh.call('train.start', { document: GRAPH });
      expect(await finished(fresh, again.runId, ['completed', 'failed'])).toMatchObject({ state: 'completed' });
      fresh.close();
    },
    120_000,
  );
});
