// Command-line entry of the web host (`node dist/engine/host/webHostMain.js [--port N]
// [--root DIR] [--documents DIR]`): starts the engine in a child process, serves the built
// renderer with the engine channel and the host API beside it, prints the one line a user (or
// the e2e fixture, which parses it) needs, then runs until SIGINT or SIGTERM.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { EngineProcess } from './engineProcess.js';
import { HostService } from './hostService.js';
import { PathPolicy } from './paths.js';
import { startWebHost } from './webHost.js';

// Built to dist/engine/host/; the renderer is built to out/renderer at the project root.
const DEFAULT_ROOT = fileURLToPath(new URL('../../../out/renderer/', import.meta.url));
const ASSETS = fileURLToPath(new URL('../../../assets/examples/', import.meta.url));

function log(message: string): void {
  console.error(`netwright: ${message}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      root: { type: 'string', default: DEFAULT_ROOT },
      documents: { type: 'string', default: homedir() },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`netwright: --port must be a port number, got "${values.port}"`);
    process.exit(2);
  }
  const root = resolve(values.root);
  if (!existsSync(join(root, 'index.html'))) {
    console.error(`netwright: no built renderer at ${root}. Run \`npm run build\` first.`);
    process.exit(1);
  }
  const documents = resolve(values.documents);

  // The engine runs in a child process, so a crash there never takes this server down.
  const engine = new EngineProcess({ args: ['--documents', documents, '--assets', ASSETS], log });
  const ready = engine.start();
  const paths = await PathPolicy.create([
    { path: documents, label: 'Documents', writable: true },
    { path: ASSETS, label: 'Examples', writable: false },
  ]);
  const hostService = new HostService({
    paths,
    lifecycle: () => engine.lifecycle,
    onLifecycle: (listener) => engine.onLifecycle(listener),
  });
  const host = await startWebHost({ root, port, engine, hostService });
  // The URL once the engine answers, so the first page load finds it running.
  await Promise.race([ready, new Promise((resolveTimeout) => setTimeout(resolveTimeout, 10_000))]);
  console.log(`Netwright is running at ${host.url}`);

  const stop = () => {
    void Promise.allSettled([engine.stop(), host.close()]).finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`netwright: could not start the web host: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
