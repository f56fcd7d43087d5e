// The typed channel over an in-memory port and over binary frames: calls and streams, the
// handshake's version check on both sides, an error reply for every kind of bad message, and
// the stream throttle — a source pushing 1,000 updates a second reaches the client as at most
// 60 a second, ending with the latest value.
import * as v from 'valibot';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ChannelClient,
  ChannelError,
  ChannelServer,
  createTransportPair,
  FramedTransport,
  type Transport,
} from './channel.js';
import { tensorSchema, type EventSpec, type MethodSpec, type ProtocolDef } from './messages.js';

const TEST = {
  name: 'test.protocol',
  version: 3,
  methods: {
    echo: { args: v.strictObject({ text: v.pipe(v.string(), v.maxLength(10)) }), result: v.strictObject({ text: v.string() }) },
    fail: { args: v.optional(v.strictObject({}), {}), result: v.strictObject({}) },
    crash: { args: v.optional(v.strictObject({}), {}), result: v.strictObject({}) },
    double: { args: v.strictObject({ t: tensorSchema }), result: v.strictObject({ t: tensorSchema }) },
    lie: { args: v.optional(v.strictObject({}), {}), result: v.strictObject({ n: v.number() }) },
  } satisfies Record<string, MethodSpec>,
  events: {
    ticks: {
      args: v.optional(v.strictObject({ maxRate: v.optional(v.number()) }), {}),
      data: v.strictObject({ n: v.number() }),
      coalesce: 'latest',
    },
    records: { args: v.optional(v.strictObject({}), {}), data: v.strictObject({ records: v.array(v.number()) }), coalesce: 'append' },
  } satisfies Record<string, EventSpec>,
} as const satisfies ProtocolDef;
type Test = typeof TEST;

/** Sources the tests drive by hand. */
const feeds = { ticks: new Set<(n: number) => void>(), records: new Set<(r: number[]) => void>() };
const closers: (() => void)[] = [];

afterEach(() => {
  for (const close of closers.splice(0)) close();
  feeds.ticks.clear();
  feeds.records.clear();
});

function serve(transport: Transport, protocol: ProtocolDef = TEST): ChannelServer<Test> {
  return new ChannelServer(transport, protocol as Test, {
    info: () => ({ pid: 42 }),
    methods: {
      echo: ({ text }) => ({ text: text.toUpperCase() }),
      fail: () => {
        throw new ChannelError('BUSY', 'not now', { text: { en: 'Busy', ja: '使用中' } });
      },
      crash: () => {
        throw new Error('a bug');
      },
      double: ({ t }) => {
        const values = new Float32Array(t.data).map((x) => x * 2);
        return { t: { dtype: 'float32', shape: t.shape, data: values.buffer } };
      },
      lie: () => ({ n: 'not a number' }) as unknown as { n: number },
    },
    events: {
      ticks: (_args, sink) => {
        const feed = (n: number) => sink.push({ n });
        feeds.ticks.add(feed);
        return { dispose: () => feeds.ticks.delete(feed) };
      },
      records: (_args, sink) => {
        const feed = (records: number[]) => sink.push({ records });
        feeds.records.add(feed);
        return { dispose: () => feeds.records.delete(feed) };
      },
    },
  });
}

async function pair(protocol: ProtocolDef = TEST): Promise<{ client: ChannelClient<Test>; server: ChannelServer<Test>; raw: Transport; replies: unknown[] }> {
  const [a, b] = createTransportPair();
  const server = serve(b, protocol);
  const replies: unknown[] = [];
  a.onMessage((m) => replies.push(m));
  const client = new ChannelClient(a, TEST, { client: 'vitest', timeoutMs: 5000 });
  closers.push(() => client.close());
  return { client, server, raw: a, replies };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('channel', () => {
  it('handshakes, then calls methods and gets typed results', async () => {
    const { client } = await pair();
    const hello = await client.connect();
    expect(hello).toEqual({ protocol: 'test.protocol', version: 3, server: { pid: 42 } });
    await expect(client.call('echo', { text: 'hi' })).resolves.toEqual({ text: 'HI' });
  });

  it('carries tensors as ArrayBuffers, transferred across a port', async () => {
    const { client } = await pair();
    await client.connect();
    const data = Float32Array.from([1, 2, 3]).buffer;
    const result = await client.call('double', { t: { dtype: 'float32', shape: [3], data } });
    expect([...new Float32Array(result.t.data)]).toEqual([2, 4, 6]);
    // Transferred, not copied: the sender's buffer is detached.
    expect(data.byteLength).toBe(0);
  });

  it('refuses calls before the handshake', async () => {
    const { client } = await pair();
    await expect(client.call('echo', { text: 'hi' })).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
  });

  it('refuses a client of another version, with a message that says what to do', async () => {
    const { client } = await pair({ ...TEST, version: 2 });
    const error = (await client.connect().catch((e: unknown) => e)) as ChannelError;
    expect(error.code).toBe('PROTOCOL_VERSION');
    expect(error.message).toMatch(/editor speaks version 3, the other side version 2/);
    expect(error.message).toMatch(/restart Netwright/);
  });

  it('checks the version on the client side too', async () => {
    const [a, b] = createTransportPair();
    // A server that lies about its version in the reply (as an old engine would answer).
    b.onMessage((m) => {
      const id = (m as { id: number }).id;
      b.send({ t: 'reply', id, ok: true, value: { protocol: 'test.protocol', version: 99, server: {} } }, []);
    });
    const client = new ChannelClient(a, TEST, { client: 'vitest' });
    closers.push(() => client.close());
    await expect(client.connect()).rejects.toMatchObject({ code: 'PROTOCOL_VERSION', message: expect.stringMatching(/version 3.*version 99/) });
  });

  it('answers errors with their code and bilingual text; a bug becomes INTERNAL', async () => {
    const { client } = await pair();
    await client.connect();
    await expect(client.call('fail', {})).rejects.toMatchObject({ code: 'BUSY', message: 'not now', text: { en: 'Busy', ja: '使用中' } });
    await expect(client.call('crash', {})).rejects.toMatchObject({ code: 'INTERNAL', message: 'a bug' });
  });

  it('validates replies: a result that breaks its schema is an error, not a value', async () => {
    const { client } = await pair();
    await client.connect();
    await expect(client.call('lie', {})).rejects.toMatchObject({ code: 'BAD_MESSAGE', message: expect.stringMatching(/lie/) });
  });

  it('answers every malformed message with an error reply, addressed when it can be', async () => {
    const { client, raw, replies } = await pair();
    await client.connect();
    const bad: unknown[] = [
      null,
      42,
      'call',
      [],
      { t: 'call' },
      { t: 'call', id: 7, method: 'nope' },
      { t: 'call', id: 8, method: 'echo', args: { text: 5 } },
      { t: 'call', id: 9, method: 'echo', args: { text: 'far too long for ten' } },
      { t: 'call', id: 10, method: 'echo', args: { text: 'x', extra: 1 } },
      { t: 'call', id: -1, method: 'echo', args: { text: 'x' } },
      { t: 'call', id: 1.5, method: 'echo' },
      { t: 'listen', id: 11, event: 'nope' },
      { t: 'listen', id: 12, event: 'ticks', args: { maxRate: 'fast' } },
      { t: 'reply', id: 13, ok: true },
      { t: 'call', id: 14, method: 'toString' },
      { t: 'call', id: 15, method: '__proto__' },
      { t: 'call', id: 16, method: 'x'.repeat(10_000) },
      { t: 'call', id: 17, method: 'echo', args: { text: 'x' }, extra: Array.from({ length: 100_000 }, () => 0) },
      // valibot's object schemas take an empty array for an object; the channel does not.
      { t: 'call', id: 18, method: 'fail', args: [] },
      { t: 'listen', id: 19, event: 'records', args: [] },
    ];
    const before = replies.length;
    for (const message of bad) raw.send(message, []);
    await sleep(50);
    const answers = replies.slice(before) as { t: string; ok: boolean; id: number | null; error: { code: string } }[];
    expect(answers).toHaveLength(bad.length);
    for (const answer of answers) expect(answer).toMatchObject({ t: 'reply', ok: false });
    const byId = new Map(answers.map((a) => [a.id, a.error.code]));
    expect(byId.get(7)).toBe('UNKNOWN_METHOD');
    expect(byId.get(8)).toBe('BAD_ARGS');
    expect(byId.get(9)).toBe('BAD_ARGS');
    expect(byId.get(10)).toBe('BAD_ARGS');
    expect(byId.get(11)).toBe('UNKNOWN_EVENT');
    expect(byId.get(12)).toBe('BAD_ARGS');
    expect(byId.get(13)).toBe('BAD_MESSAGE');
    expect(byId.get(14)).toBe('UNKNOWN_METHOD');
    expect(byId.get(15)).toBe('UNKNOWN_METHOD');
    expect(byId.get(17)).toBe('BAD_MESSAGE');
    expect(byId.get(18)).toBe('BAD_ARGS');
    expect(byId.get(19)).toBe('BAD_ARGS');
    // Still serving.
    await expect(client.call('echo', { text: 'ok' })).resolves.toEqual({ text: 'OK' });
  });

  it('streams until unsubscribed', async () => {
    const { client, server } = await pair();
    await client.connect();
    const seen: number[] = [];
    const subscription = client.listen('ticks', {}, (d) => seen.push(d.n));
    await sleep(20);
    expect(server.subscriptionCount).toBe(1);
    for (const feed of feeds.ticks) feed(1);
    await sleep(20);
    subscription.dispose();
    await sleep(20);
    expect(server.subscriptionCount).toBe(0);
    for (const feed of feeds.ticks) feed(2);
    await sleep(40);
    expect(seen).toEqual([1]);
  });

  it('appends records that arrive faster than the stream sends', async () => {
    const { client } = await pair();
    await client.connect();
    const seen: number[][] = [];
    client.listen('records', {}, (d) => seen.push(d.records));
    await sleep(20);
    for (let i = 1; i <= 10; i++) for (const feed of feeds.records) feed([i]);
    await sleep(60);
    expect(seen.flat()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(seen.length).toBeLessThanOrEqual(2);
  });

  it('a source pushing 1,000 updates a second reaches the client as at most 60 a second, ending with the latest', async () => {
    const { client } = await pair();
    await client.connect();
    const received: { at: number; n: number }[] = [];
    client.listen('ticks', {}, (d) => received.push({ at: performance.now(), n: d.n }));
    await sleep(20);
    // 1,000 updates a second for 2 seconds (one per millisecond, on the real clock).
    const start = performance.now();
    let n = 0;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const due = Math.floor(performance.now() - start);
        while (n < due && n < 2000) for (const feed of feeds.ticks) feed(++n);
        if (n >= 2000) {
          clearInterval(timer);
          resolve();
        }
      }, 1);
    });
    await sleep(100);
    expect(n).toBe(2000);
    expect(received.at(-1)!.n).toBe(2000);
    let busiest = 0;
    for (const first of received) busiest = Math.max(busiest, received.filter((r) => r.at >= first.at && r.at < first.at + 1000).length);
    console.log(`channel throttle: 2,000 updates in 2 s → ${received.length} sent, at most ${busiest} in any one second`);
    expect(busiest).toBeLessThanOrEqual(60);
    // …and not starved either: close to the 60/s budget.
    expect(received.length).toBeGreaterThan(60);
  });

  it('lets a subscriber ask for a slower rate', async () => {
    const { client } = await pair();
    await client.connect();
    const received: number[] = [];
    client.listen('ticks', { maxRate: 5 }, (d) => received.push(d.n));
    await sleep(20);
    for (let i = 1; i <= 100; i++) {
      for (const feed of feeds.ticks) feed(i);
      await sleep(5);
    }
    await sleep(250);
    expect(received.length).toBeLessThanOrEqual(5);
    expect(received.at(-1)).toBe(100);
  });

  it('fails pending calls when the channel closes, and later calls at once', async () => {
    const [a, b] = createTransportPair();
    new ChannelServer(b, TEST, {
      methods: { echo: () => new Promise<never>(() => undefined), fail: () => ({}), crash: () => ({}), double: ({ t }) => ({ t }), lie: () => ({ n: 1 }) },
      events: { ticks: () => ({ dispose: () => undefined }), records: () => ({ dispose: () => undefined }) },
    });
    const client = new ChannelClient(a, TEST, { client: 'vitest' });
    await client.connect();
    const pending = client.call('echo', { text: 'x' });
    b.close(4001, 'engine crashed');
    await expect(pending).rejects.toMatchObject({ code: 'CLOSED', message: expect.stringMatching(/4001: engine crashed/) });
    await expect(client.call('echo', { text: 'x' })).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('works the same over binary frames, and answers garbage bytes and text frames', async () => {
    const ends: { server?: FramedTransport } = {};
    const clientSide = new FramedTransport({ sendBytes: (bytes) => setTimeout(() => ends.server?.receive(bytes.slice()), 0), close: () => undefined });
    const serverSide = new FramedTransport({ sendBytes: (bytes) => setTimeout(() => clientSide.receive(bytes.slice()), 0), close: () => undefined });
    ends.server = serverSide;
    serve(serverSide);
    const errors: ChannelError[] = [];
    const client = new ChannelClient(clientSide, TEST, { client: 'vitest', onProtocolError: (e) => errors.push(e) });
    await client.connect();
    const data = Float32Array.from([0.5, -1]).buffer;
    const result = await client.call('double', { t: { dtype: 'float32', shape: [2], data } });
    expect([...new Float32Array(result.t.data)]).toEqual([1, -2]);
    serverSide.receive(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]));
    serverSide.receiveText();
    await sleep(20);
    expect(errors.map((e) => e.code)).toEqual(['BAD_MESSAGE', 'BAD_MESSAGE']);
    expect(errors[1]!.message).toMatch(/text frames/);
  });
});
