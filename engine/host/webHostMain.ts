// Command-line entry of the web host (`node dist/engine/host/webHostMain.js [--port N]
// [--root DIR]`): serves the built renderer and prints the one line a user (or the e2e
// fixture, which parses it) needs, then runs until SIGINT or SIGTERM.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startWebHost } from './webHost.js';

// Built to dist/engine/host/; the renderer is built to out/renderer at the project root.
const DEFAULT_ROOT = fileURLToPath(new URL('../../../out/renderer/', import.meta.url));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      root: { type: 'string', default: DEFAULT_ROOT },
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

  const host = await startWebHost({ root, port });
  console.log(`Netwright is running at ${host.url}`);

  const stop = () => {
    void host.close().finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`netwright: could not start the web host: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
