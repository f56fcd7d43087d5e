#!/usr/bin/env node
// The `netwright` command: runs the engine's command-line host from the built engine.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/engine/host/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  console.error('netwright: the engine is not built yet. Run `npm run build:engine` first.');
  process.exit(1);
}
const { main } = await import(cli.href);
process.exitCode = await main(process.argv.slice(2));
