// The web host's guard: no token, no content; no way out of the served directory; the
// security headers on every answer; and loopback only.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebHost, type WebHost } from './webHost.js';

interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/**
 * A raw request: `fetch` would normalise `/../x` before sending it, which is exactly what a
 * traversal attack does not do.
 */
function get(port: number, path: string, headers: Record<string, string> = {}, host = '127.0.0.1'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host, port, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

const SECRET = 'top secret: outside the served directory';
let dir: string;
let host: WebHost;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'netwright-webhost-'));
  const root = join(dir, 'renderer');
  await mkdir(join(root, 'assets'), { recursive: true });
  await writeFile(join(root, 'index.html'), '<!doctype html><title>Netwright</title>');
  await writeFile(join(root, 'assets', 'app.js'), 'console.log("app");');
  await writeFile(join(root, 'assets', 'app.css'), 'body{}');
  await writeFile(join(dir, 'secret.txt'), SECRET);
  await symlink(join(dir, 'secret.txt'), join(root, 'assets', 'link.txt'));
  host = await startWebHost({ root });
});

afterAll(async () => {
  await host?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('web host', () => {
  it('prints a loopback URL with a random URL-safe token', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/);
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/?token=${host.token}`);
  });

  it('binds to 127.0.0.1 only', async () => {
    expect(host.server.address()).toMatchObject({ address: '127.0.0.1', port: host.port });
    const external = Object.values(networkInterfaces())
      .flat()
      .find((info) => info && info.family === 'IPv4' && !info.internal);
    if (external) {
      await expect(get(host.port, `/?token=${host.token}`, {}, external.address)).rejects.toThrow(/ECONNREFUSED/);
    }
  });

  it('refuses requests without a token', async () => {
    const reply = await get(host.port, '/');
    expect(reply.status).toBe(403);
    expect(reply.headers['content-type']).toMatch(/^text\/plain/);
    expect(reply.body).toMatch(/token/);
    expect(reply.headers['set-cookie']).toBeUndefined();
    expect((await get(host.port, '/assets/app.js')).status).toBe(403);
  });

  it('refuses a wrong token, in the query or the cookie', async () => {
    const wrong = `${host.token.slice(0, -1)}${host.token.endsWith('A') ? 'B' : 'A'}`;
    expect((await get(host.port, `/?token=${wrong}`)).status).toBe(403);
    expect((await get(host.port, '/?token=short')).status).toBe(403);
    expect((await get(host.port, '/?token=')).status).toBe(403);
    const cookie = { Cookie: `netwright_token_${host.port}=${wrong}` };
    expect((await get(host.port, '/assets/app.js', cookie)).status).toBe(403);
  });

  it('serves the page for the right token and sets a strict HttpOnly cookie', async () => {
    const reply = await get(host.port, `/?token=${host.token}`);
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(reply.body).toContain('<title>Netwright</title>');
    const [cookie] = reply.headers['set-cookie'] ?? [];
    expect(cookie).toContain(`netwright_token_${host.port}=${host.token}`);
    expect(cookie).toMatch(/;\s*HttpOnly/);
    expect(cookie).toMatch(/;\s*SameSite=Strict/);
    expect(cookie).toMatch(/;\s*Path=\//);
  });

  it('lets the cookie through for assets, with correct content types', async () => {
    const cookie = { Cookie: `other=1; netwright_token_${host.port}=${host.token}` };
    const js = await get(host.port, '/assets/app.js', cookie);
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.body).toBe('console.log("app");');
    const css = await get(host.port, '/assets/app.css', cookie);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await get(host.port, '/assets/missing.js', cookie)).status).toBe(404);
    expect((await get(host.port, '/assets', cookie)).status).toBe(404);
  });

  it.each([
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E/secret.txt',
    '/..%2fsecret.txt',
    '/assets/../../secret.txt',
    '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
    '/..%5csecret.txt',
    '/assets/link.txt',
  ])('refuses to leave the served directory: %s', async (path) => {
    const reply = await get(host.port, `${path}?token=${host.token}`);
    expect([400, 403, 404]).toContain(reply.status);
    expect(reply.body).not.toContain(SECRET);
  });

  it('rejects malformed paths and other methods', async () => {
    expect((await get(host.port, `/%E0%A4%A?token=${host.token}`)).status).toBe(400);
    expect((await get(host.port, `/index.html%00.js?token=${host.token}`)).status).toBe(400);
    const reply = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: host.port, path: `/?token=${host.token}`, method: 'POST', agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(reply).toBe(405);
  });

  it('sends the security headers on every response', async () => {
    const replies = await Promise.all([
      get(host.port, '/'),
      get(host.port, `/?token=${host.token}`),
      get(host.port, `/nope?token=${host.token}`),
      get(host.port, `/../secret.txt?token=${host.token}`),
    ]);
    for (const reply of replies) {
      expect(reply.headers['content-security-policy']).toBe(
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
          "connect-src 'self' ws://127.0.0.1:*; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      );
      expect(reply.headers['x-content-type-options']).toBe('nosniff');
      expect(reply.headers['x-frame-options']).toBe('DENY');
      expect(reply.headers['referrer-policy']).toBe('no-referrer');
      expect(reply.headers['cross-origin-opener-policy']).toBe('same-origin');
      expect(reply.headers['cache-control']).toBe('no-store');
    }
  });

  it('uses a fresh token per launch unless one is given', async () => {
    const other = await startWebHost({ root: join(dir, 'renderer') });
    const fixed = await startWebHost({ root: join(dir, 'renderer'), token: 'fixed-token-for-test' });
    try {
      expect(other.token).not.toBe(host.token);
      expect(other.port).not.toBe(host.port);
      expect((await get(fixed.port, '/?token=fixed-token-for-test')).status).toBe(200);
    } finally {
      await other.close();
      await fixed.close();
    }
  });
});
