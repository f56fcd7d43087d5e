// Finds and compiles the kernel module that scripts/build-wasm.mjs builds into dist/wasm/.
// The same code runs from TypeScript sources (Vitest, tsx: engine/backends/wasm/) and from
// the tsc build (dist/engine/backends/wasm/), so both relative locations are tried.
//
// The module comes in two builds of the same sources (assembly/fma.ts): `fma`, whose product
// loops use relaxed SIMD's fused multiply-add, and `baseline`, plain SIMD128. `auto` takes `fma`
// where the runtime accepts it: Node 22+, Electron and Chromium do; Node 20 does behind V8's
// --experimental-wasm-relaxed-simd, which is turned on here when nothing else asked for it.

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { WA, type WasmModule } from './webassembly.js';

/** The two builds of the kernel module; must match VARIANTS in scripts/build-wasm.mjs. */
export const WASM_FILES = { baseline: 'netwright-kernels.wasm', fma: 'netwright-kernels-fma.wasm' } as const;
export type KernelBuild = keyof typeof WASM_FILES;
/** Which build to run: `auto` is `fma` where the runtime supports relaxed SIMD, else `baseline`. */
export type KernelChoice = KernelBuild | 'auto';

/** Pages (64 KiB) the module declares as its maximum: the most a shared memory may grow to. */
export const MAX_PAGES = 65536;

/** Where a build of the kernel module may be, most specific first. */
export function wasmCandidates(build: KernelBuild): string[] {
  const file = WASM_FILES[build];
  return [
    // engine/backends/wasm/loader.ts → <repo>/dist/wasm/
    fileURLToPath(new URL(`../../../dist/wasm/${file}`, import.meta.url)),
    // dist/engine/backends/wasm/loader.js → <repo>/dist/wasm/
    fileURLToPath(new URL(`../../../wasm/${file}`, import.meta.url)),
  ];
}

export interface LoadedModule {
  readonly module: WasmModule;
  /** The file it came from. */
  readonly path: string;
  /** Which build it is; `custom` for a module given by path. */
  readonly build: KernelBuild | 'custom';
}

const compiled = new Map<string, Promise<LoadedModule>>();

/**
 * Compiles the kernel module once per file and process: the file at `path` (or
 * $NETWRIGHT_WASM) when given, else the build `choice` names ($NETWRIGHT_WASM_BUILD when none
 * is passed; default `auto`).
 */
export function loadKernelModule(path?: string, choice?: KernelChoice): Promise<LoadedModule> {
  const explicit = path ?? process.env['NETWRIGHT_WASM'];
  if (explicit) return compileOnce(explicit, 'custom');
  let build: KernelBuild;
  try {
    build = kernelBuild(choice);
  } catch (e) {
    return Promise.reject(e as Error);
  }
  const file = findBuild(build);
  if (!file) {
    return Promise.reject(
      new Error(
        `wasm backend: ${WASM_FILES[build]} not found (looked in ${wasmCandidates(build).join(', ')}). ` +
          'Build it with `node scripts/build-wasm.mjs` (npm install runs it).',
      ),
    );
  }
  return compileOnce(file, build);
}

/**
 * The build `choice` names ($NETWRIGHT_WASM_BUILD when none is passed; default `auto`), with
 * `auto` resolved: `fma` where this runtime supports relaxed SIMD and the file was built.
 */
export function kernelBuild(choice?: KernelChoice): KernelBuild {
  const value: string = choice ?? process.env['NETWRIGHT_WASM_BUILD'] ?? 'auto';
  if (value === 'fma' && !relaxedSimdSupported()) {
    throw new Error('wasm backend: the fma kernel build needs relaxed SIMD, which this runtime does not support; use the baseline build');
  }
  if (value === 'fma' || value === 'baseline') return value;
  if (value === 'auto' || value === '') return relaxedSimdSupported() && findBuild('fma') ? 'fma' : 'baseline';
  throw new Error(`wasm backend: unknown kernel build "${value}" (NETWRIGHT_WASM_BUILD or the kernels option): use auto, fma or baseline`);
}

const findBuild = (build: KernelBuild): string | undefined => wasmCandidates(build).find((p) => existsSync(p));

function compileOnce(file: string, build: LoadedModule['build']): Promise<LoadedModule> {
  let loaded = compiled.get(file);
  if (!loaded) {
    loaded = readFile(file).then(async (bytes) => ({ module: await WA.compile(bytes), path: file, build }));
    compiled.set(file, loaded);
    loaded.catch(() => compiled.delete(file));
  }
  return loaded;
}

/**
 * The smallest module that uses relaxed SIMD: one function returning f32x4.relaxed_madd of its
 * three v128 parameters.
 */
const RELAXED_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b, // type: (v128 v128 v128) → v128
  0x03, 0x02, 0x01, 0x00, // function 0 has type 0
  0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfd, 0x85, 0x02, 0x0b, // local.get 0 1 2, f32x4.relaxed_madd
]);

let relaxed: boolean | undefined;

/** Whether this runtime compiles relaxed SIMD, turning on V8's flag for it where it is off (Node 20). */
export function relaxedSimdSupported(): boolean {
  if (relaxed === undefined) {
    relaxed = WA.validate(RELAXED_PROBE);
    if (!relaxed) {
      try {
        setFlagsFromString('--experimental-wasm-relaxed-simd');
      } catch {
        // A runtime without V8 flags: stay on the baseline build.
      }
      relaxed = WA.validate(RELAXED_PROBE);
    }
  }
  return relaxed;
}
