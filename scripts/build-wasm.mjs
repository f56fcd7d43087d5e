// Builds the wasm backend's kernels from source: engine/backends/wasm/assembly/*.ts →
// dist/wasm/netwright-kernels.wasm and, from the same sources with relaxed SIMD enabled (fused
// multiply-add: assembly/fma.ts), dist/wasm/netwright-kernels-fma.wasm; the loader picks the
// second where the runtime supports it (git-ignored; no binary is committed). Runs from npm's
// postinstall/prebuild/pretest hooks and skips the compile when the output is newer than
// every source. `--force` rebuilds anyway; `--wat` also writes the text format beside it.
//
// The module imports one shared memory (`env.memory`, threads + SIMD) and uses AssemblyScript's
// stub runtime with no allocation in kernels: the host owns all memory management.

import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SOURCE_DIR = join(ROOT, 'engine/backends/wasm/assembly');
const ENTRY = join(SOURCE_DIR, 'index.ts');
const OUT_DIR = join(ROOT, 'dist/wasm');
/** Must match WASM_FILES in engine/backends/wasm/loader.ts. */
const VARIANTS = [
  { out: join(OUT_DIR, 'netwright-kernels.wasm'), features: 'simd,threads' },
  { out: join(OUT_DIR, 'netwright-kernels-fma.wasm'), features: 'simd,threads,relaxed-simd' },
];
/** Must match MAX_PAGES in engine/backends/wasm/loader.ts (65536 pages = 4 GiB, wasm32's limit). */
const MAX_PAGES = 65536;

const args = new Set(process.argv.slice(2));
const force = args.has('--force');
const wat = args.has('--wat');

function newestSource() {
  let newest = statSync(fileURLToPath(import.meta.url)).mtimeMs;
  for (const name of readdirSync(SOURCE_DIR)) newest = Math.max(newest, statSync(join(SOURCE_DIR, name)).mtimeMs);
  return newest;
}

const newest = newestSource();
if (!force && !wat && VARIANTS.every(({ out }) => existsSync(out) && statSync(out).mtimeMs >= newest)) {
  console.log(`build-wasm: ${VARIANTS.map(({ out }) => relative(ROOT, out)).join(', ')} up to date`);
  process.exit(0);
}

const { default: asc } = await import('assemblyscript/asc');
mkdirSync(OUT_DIR, { recursive: true });
for (const { out, features } of VARIANTS) await build(out, features);

async function build(out, features) {
  // Write to a temporary name and rename, so a concurrent reader never sees half a module.
  const tmp = `${out}.${process.pid}.tmp`;
  const argv = [
    relative(ROOT, ENTRY),
    '--outFile', relative(ROOT, tmp),
    ...(wat ? ['--textFile', relative(ROOT, out.replace(/\.wasm$/, '.wat'))] : []),
    '--optimizeLevel', '3',
    '--shrinkLevel', '0',
    '--noAssert',
    '--enable', features,
    '--importMemory',
    '--sharedMemory',
    '--initialMemory', '1',
    '--maximumMemory', String(MAX_PAGES),
    '--runtime', 'stub',
    // No `env.abort` import: kernels never assert (--noAssert), and a trap is enough for a bug.
    '--use', 'abort=',
    // AS112 ("exchange of v128 values"): v128 only crosses between internal helpers, never JS.
    '--disableWarning', '112',
  ];
  const started = Date.now();
  const { error, stderr } = await asc.main(argv, { stdout: process.stdout, stderr: process.stderr, baseDir: ROOT });
  if (error) {
    rmSync(tmp, { force: true });
    console.error(`build-wasm: asc failed: ${error.message}\n${stderr.toString()}`);
    process.exit(1);
  }
  renameSync(tmp, out);
  console.log(`build-wasm: ${relative(ROOT, out)} (${statSync(out).size} bytes) in ${Date.now() - started} ms`);
}
