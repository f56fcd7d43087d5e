// Test fixtures: starts Netwright the way a user without Electron's binary does (`npm start`
// → scripts/start.mjs → web host), reads the URL it prints, and stops it after the tests.
// E2E imports no source (DESIGN.md §2): it only sees what the user sees.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { test as base } from '@playwright/test';
import { EditorPage } from './pages/editor';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const URL_LINE = /Netwright is running at (http:\/\/\S+)/;
// A cold start builds the engine and the app first.
const START_TIMEOUT_MS = 240_000;

export interface RunningApp {
  /** The URL exactly as printed, token included. */
  readonly url: string;
  /** Scheme, host and port, without the token. */
  readonly origin: string;
  readonly token: string;
  /** The web host's writable documents root: a fresh temporary folder per worker (file specs save there). */
  readonly documents: string;
}

async function startApp(documents: string): Promise<{ app: RunningApp; child: ChildProcess }> {
  // Saves and the recent-files list go to temporary folders, never the user's home or config.
  const child = spawn(process.execPath, ['scripts/start.mjs', '--documents', documents], {
    cwd: ROOT,
    env: { ...process.env, NETWRIGHT_NO_ELECTRON_DOWNLOAD: '1', XDG_CONFIG_HOME: join(documents, 'config') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  if (!child.stdout) throw new Error('no stdout pipe from scripts/start.mjs');
  const lines = createInterface({ input: child.stdout });

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL within ${START_TIMEOUT_MS} ms:\n${output}`)), START_TIMEOUT_MS);
    lines.on('line', (line) => {
      output += `${line}\n`;
      const match = URL_LINE.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] ?? '');
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`scripts/start.mjs exited (${code}) before printing a URL:\n${output}`));
    });
  });
  const parsed = new URL(url);
  return {
    app: { url, origin: parsed.origin, token: parsed.searchParams.get('token') ?? '', documents },
    child,
  };
}

async function stopApp(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  // start.mjs passes SIGTERM on to the web host and exits when it does.
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export const test = base.extend<{ editor: EditorPage }, { app: RunningApp }>({
  app: [
    // eslint-disable-next-line no-empty-pattern -- Playwright requires the destructuring form.
    async ({}, use) => {
      const documents = mkdtempSync(join(tmpdir(), 'netwright-e2e-'));
      const { app, child } = await startApp(documents);
      try {
        await use(app);
      } finally {
        await stopApp(child);
        rmSync(documents, { recursive: true, force: true });
      }
    },
    { scope: 'worker', timeout: START_TIMEOUT_MS + 20_000 },
  ],
  editor: async ({ page, app }, use) => {
    const editor = new EditorPage(page, app.url);
    await editor.open();
    await use(editor);
  },
});

export { expect } from '@playwright/test';
