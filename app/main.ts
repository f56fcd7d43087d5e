// Electron main process: creates the editor window and serves the built renderer from a
// private `app://` scheme. It only brokers (DESIGN.md §1): no UI logic and no engine code here,
// and the window gets the locked-down settings of Electron's security checklist.
import { realpathSync } from 'node:fs';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, net, protocol, session, shell } from 'electron';

const SCHEME = 'app';
const HOST = 'netwright';
const ORIGIN = `${SCHEME}://${HOST}`;

// Same policy as renderer/index.html's <meta>; sent as a header too, so it holds even for a
// response that is not the HTML page (a header is also the only place `frame-ancestors` works).
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

const here = fileURLToPath(new URL('.', import.meta.url));
// out/main/main.js → out/renderer and out/preload/preload.cjs (see electron.config.ts).
const rendererDir = realpathSync(resolve(here, '../renderer'));
const preloadPath = resolve(here, '../preload/preload.cjs');

// Must run before `ready`: `standard` gives the scheme real origins and relative URLs,
// `secure` makes it a secure context (needed for WebGPU and crypto.subtle later).
protocol.registerSchemesAsPrivileged([
  { scheme: SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

// Every renderer is sandboxed, including any a future feature forgets to configure.
app.enableSandbox();

function plain(status: number, body: string): Response {
  return new Response(body, {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Security-Policy': CONTENT_SECURITY_POLICY },
  });
}

/** Serves app://netwright/<path> from out/renderer, refusing anything that resolves outside it. */
async function serveRenderer(request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (url.host !== HOST) return plain(404, 'Not found');
  let relative: string;
  try {
    relative = decodeURIComponent(url.pathname);
  } catch {
    return plain(400, 'Bad path');
  }
  if (relative.includes('\0')) return plain(400, 'Bad path');
  if (relative === '/' || relative === '') relative = '/index.html';
  const file = resolve(rendererDir, `.${relative}`);
  if (!file.startsWith(rendererDir + sep)) return plain(403, 'Forbidden');
  let real: string;
  try {
    real = realpathSync(file);
  } catch {
    return plain(404, 'Not found');
  }
  // A symlink inside out/renderer must not lead outside it either.
  if (!real.startsWith(rendererDir + sep)) return plain(403, 'Forbidden');
  const response = await net.fetch(pathToFileURL(real).toString());
  if (!response.ok) return plain(404, 'Not found');
  return new Response(response.body, {
    status: 200,
    headers: {
      'Content-Type': CONTENT_TYPES[extname(real).toLowerCase()] ?? 'application/octet-stream',
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    },
  });
}

function isAppUrl(raw: string): boolean {
  try {
    return new URL(raw).origin === ORIGIN;
  } catch {
    return false;
  }
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    title: 'Netwright',
    show: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(`${ORIGIN}/index.html`);
  return window;
}

// Lock down every web contents, present and future: no navigation away from the app, no new
// windows (http(s) links open in the user's browser instead), no <webview>.
app.on('web-contents-created', (_event, contents) => {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//i.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
});

void app.whenReady().then(() => {
  protocol.handle(SCHEME, serveRenderer);
  // The editor needs no camera, microphone, geolocation or notifications; refuse them all
  // rather than let Electron's default (grant) apply.
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  createWindow();
  app.on('activate', () => {
    // macOS: re-open a window when the dock icon is clicked and none is open.
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
