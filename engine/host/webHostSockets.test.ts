// The web host's WebSockets: the engine channel and the host API share the page's port and its
// guard — no token (in the query or the HttpOnly cookie), no socket; a page of another origin, or
// a DNS-rebinding page with our cookie, no socket either. Through the guard, engine frames are
// relayed byte for byte, and the host API reads and atomically writes files in allowed folders.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  ChannelClient,
  encodeFrame,
  FramedTransport,
  HOST,
  type EngineLifecycle,
  type HostProtocol,
} from '../protocol/index.js';
import type { ConnectionSink, EngineConnection } from './engineProcess.js';
import { HostService } from './hostService.js';
import { PathPolicy } from './paths.js';
import { startWebHost, type WebHost } from './webHost.js';

let dir: string;
let host: WebHost;
let engineUp = true;
/** What the fake engine received, and the sink to answer through. */
const engineFrames: Uint8Array[] = [];
let engineSink: ConnectionSink | null = null;

const LIFECYCLE: EngineLifecycle = { state: 'ready', pid: 4242, exitCode: null, signal: null, restarts: 0 };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'netwright-sockets-'));
  await mkdir(join(dir, 'renderer'));
  await writeFile(join(dir, 'renderer', 'index.html'), '<!doctype html><title>Netwright</title>');
  await mkdir(join(dir, 'docs'));
  await mkdir(join(dir, 'examples'));
  await writeFile(join(dir, 'examples', 'mlp.netwright.json'), '{"format":"netwright.graph"}\n');
  await writeFile(join(dir, 'secret.netwright.json'), 'secret');
  const paths = await PathPolicy.create([
    { path: join(dir, 'docs'), label: 'Documents', writable: true },
    { path: join(dir, 'examples'), label: 'Examples', writable: false },
  ]);
  const engine = {
    connect(sink: ConnectionSink): EngineConnection | null {
      if (!engineUp) return null;
      engineSink = sink;
      return { send: (frame) => engineFrames.push(frame.slice()), close: () => undefined };
    },
  };
  const hostService = new HostService({
    paths,
    configDir: join(dir, 'config'),
    lifecycle: () => LIFECYCLE,
    onLifecycle: () => ({ dispose: () => undefined }),
  });
  host = await startWebHost({ root: join(dir, 'renderer'), engine, hostService });
});

afterAll(async () => {
  await host?.close();
  await rm(dir, { recursive: true, force: true });
});

const origin = () => `http://127.0.0.1:${host.port}`;
const url = (path: string, token?: string) => `ws://127.0.0.1:${host.port}${path}${token !== undefined ? `?token=${token}` : ''}`;

/** Opens a socket; resolves with it once open, or with the HTTP status that refused it. */
function open(address: string, headers: Record<string, string> = {}, originHeader: string | null = origin()): Promise<WebSocket | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(address, { headers, ...(originHeader !== null ? { origin: originHeader } : {}) });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_request, response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    ws.once('error', (error) => {
      if (!/Unexpected server response/.test(error.message)) reject(error);
    });
  });
}

async function status(address: string, headers: Record<string, string> = {}, originHeader: string | null = origin()): Promise<number> {
  const result = await open(address, headers, originHeader);
  if (typeof result === 'number') return result;
  result.close();
  return 101;
}

describe('web host sockets', () => {
  it.each(['/engine', '/host'])('refuses %s without the token, or with a wrong one', async (path) => {
    expect(await status(url(path))).toBe(403);
    expect(await status(url(path, 'x'.repeat(host.token.length)))).toBe(403);
    expect(await status(url(path, ''))).toBe(403);
    expect(await status(url(path), { Cookie: `netwright_token_${host.port}=wrong` })).toBe(403);
    // The cookie of another Netwright server (another port) is not ours.
    expect(await status(url(path), { Cookie: `netwright_token_1=${host.token}` })).toBe(403);
  });

  it.each(['/engine', '/host'])('accepts %s with the token in the query or the HttpOnly cookie', async (path) => {
    expect(await status(url(path, host.token))).toBe(101);
    expect(await status(url(path), { Cookie: `a=b; netwright_token_${host.port}=${host.token}` })).toBe(101);
  });

  it('refuses pages of other origins, even with the token', async () => {
    expect(await status(url('/engine', host.token), {}, 'http://evil.example')).toBe(403);
    expect(await status(url('/engine', host.token), {}, `http://127.0.0.1:${host.port + 1}`)).toBe(403);
    expect(await status(url('/engine', host.token), {}, `https://127.0.0.1:${host.port}`)).toBe(403);
    expect(await status(url('/engine', host.token), {}, 'null')).toBe(403);
    expect(await status(url('/engine', host.token), {}, null)).toBe(403);
    // DNS rebinding: a page of evil.example resolved to 127.0.0.1 sends its own Host and Origin.
    const rebound = `http://evil.example:${host.port}`;
    expect(await status(url('/engine', host.token), { Host: `evil.example:${host.port}` }, rebound)).toBe(403);
    // The same server under its other loopback name is fine.
    expect(await status(url('/engine', host.token), { Host: `localhost:${host.port}` }, `http://localhost:${host.port}`)).toBe(101);
  });

  it('refuses other paths', async () => {
    expect(await status(url('/other', host.token))).toBe(404);
    expect(await status(url('/engine/', host.token))).toBe(404);
    expect(await status(url('/%65ngine', host.token))).toBe(404);
  });

  it('relays engine frames both ways, bytes untouched', async () => {
    engineFrames.length = 0;
    const ws = (await open(url('/engine', host.token))) as WebSocket;
    const frame = encodeFrame({ t: 'call', id: 1, method: 'train.status', args: { data: new Float32Array([1, 2]).buffer } });
    const received = new Promise<Buffer>((resolve) => ws.once('message', (data) => resolve(data as Buffer)));
    ws.send(frame);
    await expect.poll(() => engineFrames.length).toBe(1);
    expect(Buffer.from(engineFrames[0]!)).toEqual(Buffer.from(frame));
    engineSink!.frame(Uint8Array.from([9, 8, 7]));
    expect([...(await received)]).toEqual([9, 8, 7]);
    // The engine's end of a connection (a crash) closes the socket with its code and reason.
    const closed = new Promise<[number, string]>((resolve) => ws.once('close', (code, reason) => resolve([code, reason.toString()])));
    engineSink!.closed(4001, 'the engine process ended');
    expect(await closed).toEqual([4001, 'the engine process ended']);
  });

  it('closes an engine socket at once, with a reason, while the engine is down', async () => {
    engineUp = false;
    try {
      const ws = (await open(url('/engine', host.token))) as WebSocket;
      const [code] = await new Promise<[number, string]>((resolve) => ws.once('close', (c, r) => resolve([c, r.toString()])));
      expect(code).toBe(4003);
    } finally {
      engineUp = true;
    }
  });

  describe('host API', () => {
    let client: ChannelClient<HostProtocol>;

    beforeAll(async () => {
      const ws = (await open(url('/host', host.token))) as WebSocket;
      const transport = new FramedTransport({ sendBytes: (bytes) => ws.send(bytes), close: (code, reason) => ws.close(code, reason) });
      ws.on('message', (data) => transport.receive(data as Buffer));
      ws.on('close', (code, reason) => transport.ended(code, reason.toString()));
      client = new ChannelClient(transport, HOST, { client: 'vitest', timeoutMs: 5000 });
      await client.connect();
    });

    afterAll(() => client?.close());

    it('lists the allowed roots and their files', async () => {
      const { roots } = await client.call('files.roots', {});
      expect(roots.map((r) => [r.label, r.writable])).toEqual([
        ['Documents', true],
        ['Examples', false],
      ]);
      const listing = await client.call('files.list', { dir: join(dir, 'examples') });
      expect(listing.entries.map((e) => e.name)).toEqual(['mlp.netwright.json']);
    });

    it('writes atomically and reads back; no temporary file is left', async () => {
      const path = join(dir, 'docs', 'net.netwright.json');
      await client.call('files.write', { path, contents: '{"a":1}\n' });
      await client.call('files.write', { path, contents: '{"a":2}\n' });
      expect(await readFile(path, 'utf8')).toBe('{"a":2}\n');
      expect(await readdir(join(dir, 'docs'))).toEqual(['net.netwright.json']);
      const read = await client.call('files.read', { path });
      expect(read).toEqual({ path, name: 'net.netwright.json', contents: '{"a":2}\n' });
      // Relative paths start in the documents folder.
      expect((await client.call('files.read', { path: 'net.netwright.json' })).path).toBe(path);
    });

    it('refuses paths outside the allowed folders, hidden ones, other kinds of file and the read-only examples', async () => {
      const refusals: [string, Promise<unknown>][] = [
        ['outside', client.call('files.read', { path: join(dir, 'secret.netwright.json') })],
        ['traversal', client.call('files.read', { path: join(dir, 'docs', '..', 'secret.netwright.json') })],
        ['relative traversal', client.call('files.read', { path: '../secret.netwright.json' })],
        ['system file', client.call('files.read', { path: '/etc/passwd' })],
        ['hidden', client.call('files.write', { path: join(dir, 'docs', '.bashrc.json'), contents: 'x' })],
        ['not a graph', client.call('files.write', { path: join(dir, 'docs', 'run.sh'), contents: 'x' })],
        ['read-only root', client.call('files.write', { path: join(dir, 'examples', 'mlp.netwright.json'), contents: 'x' })],
        ['list outside', client.call('files.list', { dir: dir })],
      ];
      for (const [what, call] of refusals) await expect(call, what).rejects.toMatchObject({ code: 'PATH_FORBIDDEN' });
      expect(await readFile(join(dir, 'examples', 'mlp.netwright.json'), 'utf8')).toBe('{"format":"netwright.graph"}\n');
    });

    it('keeps a recent-files list of readable graphs', async () => {
      const path = join(dir, 'docs', 'net.netwright.json');
      expect((await client.call('recent.add', { path })).paths).toEqual([path]);
      expect((await client.call('recent.add', { path: join(dir, 'examples', 'mlp.netwright.json') })).paths).toHaveLength(2);
      expect((await client.call('recent.list', {})).paths[0]).toBe(join(dir, 'examples', 'mlp.netwright.json'));
      await expect(client.call('recent.add', { path: join(dir, 'secret.netwright.json') })).rejects.toMatchObject({ code: 'PATH_FORBIDDEN' });
      expect((await client.call('recent.clear', {})).paths).toEqual([]);
    });

    it("reports the engine's lifecycle", async () => {
      expect(await client.call('engine.lifecycle', {})).toEqual(LIFECYCLE);
      const first = await new Promise<EngineLifecycle>((resolve) => client.listen('engine', {}, resolve));
      expect(first).toEqual(LIFECYCLE);
    });
  });
});
