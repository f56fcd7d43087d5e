// Electron main process: creates the editor window, serves the built renderer from a private
// `app://` scheme, spawns the engine as a utility process (app/engineProcess.ts) and answers the
// host API's file, dialog and recent-file requests. It only brokers (DESIGN.md §1): no UI logic
// and no engine code here. Every window gets the locked-down settings of Electron's security
// checklist (app/windowOptions.ts), and every IPC request is checked for its sender and its args.
import { realpathSync } from 'node:fs';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, ipcMain, net, protocol, session, shell, type IpcMainInvokeEvent } from 'electron';
import * as v from 'valibot';
import { EngineHost } from './engineProcess.js';
import { FileService } from './files.js';
import { IPC_ARGS } from './ipcArgs.js';
import { CONTENT_TYPES } from '../engine/protocol/webContent.js';
import { IPC } from './ipcChannels.js';
import { APP_HOST, APP_ORIGIN, APP_SCHEME, CONTENT_SECURITY_POLICY, isAppUrl, mainWindowOptions } from './windowOptions.js';

const here = fileURLToPath(new URL('.', import.meta.url));
// out/main/main.js → out/renderer and out/preload/preload.cjs (see electron.config.ts); the
// engine is built by tsc to dist/engine (electron-builder.yml ships both, unpacked).
const rendererDir = realpathSync(resolve(here, '../renderer'));
const preloadPath = resolve(here, '../preload/preload.cjs');
const engineEntry = resolve(here, '../../dist/engine/host/engineMain.js');
const examplesDir = resolve(here, '../../assets/examples');

// Must run before `ready`: `standard` gives the scheme real origins and relative URLs,
// `secure` makes it a secure context (needed for WebGPU and crypto.subtle later).
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
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
  if (url.host !== APP_HOST) return plain(404, 'Not found');
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

const engine = new EngineHost({
  entry: engineEntry,
  args: ['--documents', app.getPath('home'), '--assets', examplesDir],
  log: (message) => console.error(`netwright: ${message}`),
});

function createWindow(): BrowserWindow {
  const window = new BrowserWindow(mainWindowOptions(preloadPath));
  engine.attach(window.webContents);
  window.once('ready-to-show', () => window.show());
  void window.loadURL(`${APP_ORIGIN}/index.html`);
  return window;
}

/**
 * Only the app's own top-level page may use the host API: not a frame, not a page that somehow
 * navigated elsewhere, not a web contents that is not one of our windows.
 */
function trustedSender(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  if (frame === null || frame.parent !== null || !isAppUrl(frame.url)) return false;
  return BrowserWindow.fromWebContents(event.sender) !== null;
}

/** Registers an invoke handler that checks the sender and validates the arguments first. */
function handle<A extends v.GenericSchema<unknown, readonly unknown[]>>(
  channel: string,
  args: A,
  handler: (event: IpcMainInvokeEvent, args: v.InferOutput<A>) => unknown,
): void {
  ipcMain.handle(channel, async (event, ...raw: unknown[]) => {
    if (!trustedSender(event)) throw new Error(`${channel}: refused, the request did not come from the Netwright window`);
    const parsed = v.safeParse(args, raw);
    if (!parsed.success) throw new Error(`${channel}: bad arguments: ${parsed.issues[0]?.message ?? 'invalid'}`);
    return handler(event, parsed.output);
  });
}

function registerHostApi(files: FileService): void {
  const windowOf = (event: IpcMainInvokeEvent) => BrowserWindow.fromWebContents(event.sender);
  handle(IPC.filesRoots, IPC_ARGS.none, () => files.roots());
  handle(IPC.filesList, IPC_ARGS.path, (_event, [dir]) => files.list(dir));
  handle(IPC.filesRead, IPC_ARGS.path, (_event, [path]) => files.read(path));
  handle(IPC.filesWrite, IPC_ARGS.write, (_event, [path, contents]) => files.write(path, contents));
  handle(IPC.dialogOpen, IPC_ARGS.dialog, (event, [options]) => files.showOpen(windowOf(event), options));
  handle(IPC.dialogSave, IPC_ARGS.dialog, (event, [options]) => files.showSave(windowOf(event), options));
  handle(IPC.recentList, IPC_ARGS.none, () => files.recent());
  handle(IPC.recentAdd, IPC_ARGS.path, (_event, [path]) => files.addRecent(path));
  handle(IPC.recentClear, IPC_ARGS.none, () => files.clearRecent());
  handle(IPC.engineConnect, IPC_ARGS.none, async (event) => ({ kind: 'message-port' as const, nonce: await engine.connect(event.sender) }));
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
  protocol.handle(APP_SCHEME, serveRenderer);
  // The editor needs no camera, microphone, geolocation or notifications; refuse them all
  // rather than let Electron's default (grant) apply.
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  registerHostApi(new FileService({ home: app.getPath('home'), examples: examplesDir, stateDir: app.getPath('userData') }));
  engine.start();
  createWindow();
  app.on('activate', () => {
    // macOS: re-open a window when the dock icon is clicked and none is open.
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

app.on('will-quit', () => engine.stop());
