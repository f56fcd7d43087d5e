// The web host: a small HTTP server on 127.0.0.1 that serves the built renderer to a plain
// browser (DESIGN.md §1), for machines without Electron, remote GPU boxes and the e2e tests,
// and carries the engine channel and the host API over WebSockets on the same port.
// Anything on this machine can reach a loopback port, so every request must carry the random
// per-launch token: in the URL the host printed, then in an HttpOnly cookie for the assets and
// the sockets; sockets must also come from a page of this very origin.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, resolve, sep } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { CONTENT_TYPES, contentSecurityPolicy, FramedTransport, MAX_FRAME_BYTES } from '../protocol/index.js';
import type { EngineProcess } from './engineProcess.js';
import type { HostService } from './hostService.js';

export interface WebHostOptions {
  /** The directory to serve: the built renderer (out/renderer). */
  readonly root: string;
  /** Interface to bind. Loopback only unless you know why; the token is the only other guard. */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /** The access token; a fresh random one by default. */
  readonly token?: string;
  /** The engine child process whose channel `/engine` carries; without it that socket is refused. */
  readonly engine?: Pick<EngineProcess, 'connect'>;
  /** The host API served on `/host` (files, recent, engine lifecycle). */
  readonly hostService?: Pick<HostService, 'serve'>;
}

/** The WebSocket paths: the engine channel and the host API. */
export const ENGINE_SOCKET_PATH = '/engine';
export const HOST_SOCKET_PATH = '/host';

export interface WebHost {
  /** The URL to open: `http://127.0.0.1:PORT/?token=TOKEN`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly token: string;
  readonly server: Server;
  close(): Promise<void>;
}

/** The renderer's CSP plus WebSocket connections back to loopback (the engine channel). */
export const WEB_HOST_CSP = contentSecurityPolicy(['ws://127.0.0.1:*']);

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': WEB_HOST_CSP,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

const FORBIDDEN_MESSAGE =
  'Forbidden: this Netwright server only answers requests that carry its access token.\n' +
  'Open the full URL it printed when it started (http://127.0.0.1:PORT/?token=...).\n';

/** 24 random bytes, URL-safe: 192 bits, far beyond guessing over a loopback socket. */
export function createToken(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * Constant-time comparison. The length check returns early, which leaks only the length, and
 * the length of our tokens is public (32 characters).
 */
function tokenMatches(given: string | undefined, expected: Buffer): boolean {
  if (given === undefined) return false;
  const candidate = Buffer.from(given, 'utf8');
  return candidate.length === expected.length && timingSafeEqual(candidate, expected);
}

function readCookie(request: IncomingMessage, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function sendText(response: ServerResponse, status: number, body: string, extra: Record<string, string> = {}): void {
  response.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    ...extra,
  });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}

function isInside(root: string, path: string): boolean {
  return path.startsWith(root + sep);
}

/** Starts the web host; resolves once it is listening. */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? createToken();
  const expected = Buffer.from(token, 'utf8');
  // Resolve symlinks once, so every served file can be checked against the real directory.
  const root = await realpath(resolve(options.root));
  if (!(await stat(root)).isDirectory()) throw new Error(`web host root is not a directory: ${root}`);

  let cookieName = 'netwright_token';

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      sendText(response, 405, 'Method not allowed\n', { Allow: 'GET, HEAD' });
      return;
    }

    // Split by hand rather than with `new URL`: the URL parser removes `..` segments (also
    // `%2e%2e`), which would hide a traversal attempt instead of refusing it.
    const rawUrl = request.url ?? '/';
    const queryAt = rawUrl.indexOf('?');
    const rawPath = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
    const query = new URLSearchParams(queryAt === -1 ? '' : rawUrl.slice(queryAt + 1));

    const queryToken = query.get('token') ?? undefined;
    const viaQuery = tokenMatches(queryToken, expected);
    if (!viaQuery && !tokenMatches(readCookie(request, cookieName), expected)) {
      sendText(response, 403, FORBIDDEN_MESSAGE);
      return;
    }
    const extra: Record<string, string> = {};
    if (viaQuery) {
      // Assets are requested without the query; the cookie carries the token for them.
      // SameSite=Strict keeps other sites' pages from riding on it.
      extra['Set-Cookie'] = `${cookieName}=${token}; Path=/; HttpOnly; SameSite=Strict`;
    }

    let relative: string;
    try {
      relative = decodeURIComponent(rawPath);
    } catch {
      sendText(response, 400, 'Bad request: malformed path\n', extra);
      return;
    }
    if (relative.includes('\0') || !relative.startsWith('/')) {
      sendText(response, 400, 'Bad request: malformed path\n', extra);
      return;
    }
    if (relative === '/') relative = '/index.html';

    const file = resolve(root, `.${relative}`);
    if (!isInside(root, file)) {
      sendText(response, 403, 'Forbidden: path outside the app directory\n', extra);
      return;
    }
    let real: string;
    try {
      real = await realpath(file);
    } catch {
      sendText(response, 404, 'Not found\n', extra);
      return;
    }
    // A symlink inside the root must not lead outside it either.
    if (!isInside(root, real)) {
      sendText(response, 403, 'Forbidden: path outside the app directory\n', extra);
      return;
    }
    const info = await stat(real);
    if (!info.isFile()) {
      sendText(response, 404, 'Not found\n', extra);
      return;
    }

    response.writeHead(200, {
      ...SECURITY_HEADERS,
      ...extra,
      'Content-Type': CONTENT_TYPES[extname(real).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': info.size,
    });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    const stream = createReadStream(real);
    stream.on('error', () => response.destroy());
    stream.pipe(response);
  }

  const sockets = new WebSocketServer({
    noServer: true,
    // The frame limit of the protocol; ws refuses (closes with 1009) anything larger.
    maxPayload: MAX_FRAME_BYTES,
    // Compression of attacker-chosen data is a CPU and memory risk and tensors barely compress.
    perMessageDeflate: false,
  });

  /** Refuses a socket before the handshake, with a plain HTTP answer saying why. */
  function refuseUpgrade(socket: Duplex, status: number, reason: string, body: string): void {
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nX-Content-Type-Options: nosniff\r\n\r\n${body}`,
    );
  }

  /**
   * Pages of this server only: the Origin must be this server's own (http://127.0.0.1:PORT or
   * http://localhost:PORT) and name the same host as the Host header. A page of another site
   * or port — or a DNS-rebinding page — fails here even if the browser sends our cookie.
   */
  function originAllowed(request: IncomingMessage, port: number): boolean {
    const origin = request.headers.origin;
    const hostHeader = request.headers.host;
    if (origin === undefined || hostHeader === undefined) return false;
    const hosts = host === '127.0.0.1' || host === 'localhost' ? ['127.0.0.1', 'localhost'] : [host.includes(':') ? `[${host}]` : host];
    const allowed = hosts.map((name) => `${name}:${port}`);
    return allowed.includes(hostHeader) && origin === `http://${hostHeader}`;
  }

  /** A close reason fits in 123 bytes (RFC 6455); ours are short English, cut to be sure. */
  function closeReason(reason: string): string {
    return Buffer.byteLength(reason) <= 120 ? reason : Buffer.from(reason).subarray(0, 120).toString('utf8');
  }

  function bytesOf(data: RawData): Uint8Array {
    if (Array.isArray(data)) return Buffer.concat(data);
    return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
  }

  function attachEngine(ws: WebSocket): void {
    const connection = options.engine?.connect({
      frame: (bytes) => ws.send(bytes, { binary: true }),
      closed: (code, reason) => ws.close(code, closeReason(reason)),
    });
    if (connection === null || connection === undefined) {
      ws.close(4003, 'the engine is not running; try again shortly');
      return;
    }
    // Bytes go to the engine as they came: it decodes and validates every message itself, and
    // answers even a text frame or garbage with an error reply.
    ws.on('message', (data) => connection.send(bytesOf(data)));
    ws.on('close', () => connection.close());
    ws.on('error', () => connection.close());
  }

  function attachHost(ws: WebSocket): void {
    const transport = new FramedTransport({
      sendBytes: (bytes) => ws.send(bytes, { binary: true }),
      close: (code, reason) => ws.close(code, closeReason(reason)),
    });
    options.hostService?.serve(transport);
    ws.on('message', (data, isBinary) => (isBinary ? transport.receive(bytesOf(data)) : transport.receiveText()));
    ws.on('close', (code, reason) => transport.ended(code, reason.toString('utf8')));
    ws.on('error', () => transport.ended(1006, 'socket error'));
  }

  function handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const rawUrl = request.url ?? '/';
    const queryAt = rawUrl.indexOf('?');
    const path = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
    const query = new URLSearchParams(queryAt === -1 ? '' : rawUrl.slice(queryAt + 1));
    if (!tokenMatches(query.get('token') ?? undefined, expected) && !tokenMatches(readCookie(request, cookieName), expected)) {
      refuseUpgrade(socket, 403, 'Forbidden', FORBIDDEN_MESSAGE);
      return;
    }
    const { port } = server.address() as AddressInfo;
    if (!originAllowed(request, port)) {
      refuseUpgrade(socket, 403, 'Forbidden', 'Forbidden: WebSocket connections are accepted only from pages of this server.\n');
      return;
    }
    const attach = path === ENGINE_SOCKET_PATH && options.engine ? attachEngine : path === HOST_SOCKET_PATH && options.hostService ? attachHost : null;
    if (attach === null) {
      refuseUpgrade(socket, 404, 'Not Found', 'Not found\n');
      return;
    }
    sockets.handleUpgrade(request, socket, head, attach);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) sendText(response, 500, 'Internal server error\n');
      else response.destroy();
    });
  });

  server.on('upgrade', handleUpgrade);

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  });
  const { port } = server.address() as AddressInfo;
  // Cookies are scoped by host, not port: name ours after the port so two Netwright servers
  // on the same machine do not overwrite each other's token.
  cookieName = `netwright_token_${port}`;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}/?token=${token}`,
    host,
    port,
    token,
    server,
    close: () =>
      new Promise<void>((resolveClose, rejectClose) => {
        for (const ws of sockets.clients) ws.terminate();
        sockets.close();
        server.close((error) => (error ? rejectClose(error) : resolveClose()));
        // Browsers hold keep-alive connections open; without this close() waits for them.
        server.closeAllConnections();
      }),
  };
}
