// The web host: a small HTTP server on 127.0.0.1 that serves the built renderer to a plain
// browser (DESIGN.md §1), for machines without Electron, remote GPU boxes and the e2e tests.
// Anything on this machine can reach a loopback port, so every request must carry the random
// per-launch token: in the URL the host printed, then in an HttpOnly cookie for the assets.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, resolve, sep } from 'node:path';

export interface WebHostOptions {
  /** The directory to serve: the built renderer (out/renderer). */
  readonly root: string;
  /** Interface to bind. Loopback only unless you know why; the token is the only other guard. */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /** The access token; a fresh random one by default. */
  readonly token?: string;
}

export interface WebHost {
  /** The URL to open: `http://127.0.0.1:PORT/?token=TOKEN`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly token: string;
  readonly server: Server;
  close(): Promise<void>;
}

/**
 * The renderer's CSP (renderer/index.html) plus WebSocket connections back to loopback, which
 * the engine channel will use. `frame-ancestors` only works as a header, so it is here.
 */
export const WEB_HOST_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self' ws://127.0.0.1:*",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': WEB_HOST_CSP,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
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

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) sendText(response, 500, 'Internal server error\n');
      else response.destroy();
    });
  });

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
        server.close((error) => (error ? rejectClose(error) : resolveClose()));
        // Browsers hold keep-alive connections open; without this close() waits for them.
        server.closeAllConnections();
      }),
  };
}
