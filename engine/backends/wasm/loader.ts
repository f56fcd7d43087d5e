// Finds and compiles the kernel module that scripts/build-wasm.mjs builds into dist/wasm/.
// The same code runs from TypeScript sources (Vitest, tsx: engine/backends/wasm/) and from
// the tsc build (dist/engine/backends/wasm/), so both relative locations are tried.

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { WA, type WasmModule } from './webassembly.js';

export const WASM_FILE = 'netwright-kernels.wasm';

/** Pages (64 KiB) the module declares as its maximum: the most a shared memory may grow to. */
export const MAX_PAGES = 65536;

/** Where the kernel module may be, most specific first. */
export function wasmCandidates(): string[] {
  const fromEnv = process.env['NETWRIGHT_WASM'];
  return [
    ...(fromEnv ? [fromEnv] : []),
    // engine/backends/wasm/loader.ts → <repo>/dist/wasm/
    fileURLToPath(new URL(`../../../dist/wasm/${WASM_FILE}`, import.meta.url)),
    // dist/engine/backends/wasm/loader.js → <repo>/dist/wasm/
    fileURLToPath(new URL(`../../../wasm/${WASM_FILE}`, import.meta.url)),
  ];
}

const compiled = new Map<string, Promise<WasmModule>>();

/** Compiles the kernel module once per path and process. */
export function loadKernelModule(path?: string): Promise<WasmModule> {
  const file = path ?? wasmCandidates().find((p) => existsSync(p));
  if (!file) {
    return Promise.reject(
      new Error(
        `wasm backend: ${WASM_FILE} not found (looked in ${wasmCandidates().join(', ')}). ` +
          'Build it with `node scripts/build-wasm.mjs` (npm install runs it).',
      ),
    );
  }
  let module = compiled.get(file);
  if (!module) {
    module = readFile(file).then((bytes) => WA.compile(bytes));
    compiled.set(file, module);
    module.catch(() => compiled.delete(file));
  }
  return module;
}
