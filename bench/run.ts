// `npm run bench [-- --json FILE] [--only NAME]`: runs every benchmark in bench/ on this
// machine (with --only, those whose name contains NAME, in any case), prints a table and
// optionally writes the JSON report. Benchmarks are measurements, not tests: they report
// numbers (and ratios against peers measured in the same run).

import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import { kernelBuild } from '../engine/backends/wasm/loader.js';
import type { BenchResult, Benchmark } from './harness.js';
import { cnnBenchmark } from './cnn.bench.js';
import { datasetsBenchmark } from './datasets.bench.js';
import { gemmBenchmark } from './gemm.bench.js';
import { mlpBenchmark } from './mlp.bench.js';
import { panelsBenchmark } from './panels.bench.js';
import { peerRuns } from './peers.js';
import { fmaBenchmark, sparseBenchmark } from './variants.bench.js';
import { streamingBenchmark } from './streaming.bench.js';
import { validateBenchmark } from './validate.bench.js';

const BENCHMARKS: readonly Benchmark[] = [validateBenchmark, gemmBenchmark, mlpBenchmark, cnnBenchmark, sparseBenchmark, fmaBenchmark, datasetsBenchmark, streamingBenchmark, panelsBenchmark];

function parseArgs(argv: readonly string[]): { json?: string; only?: string } {
  const out: { json?: string; only?: string } = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') out.json = argv[++i];
    else if (arg === '--only') out.only = argv[++i];
    else if (arg === '--help' || arg === '-h') {
      console.log('usage: npm run bench [-- --json FILE] [--only NAME]');
      console.log(`benchmarks: ${BENCHMARKS.map((b) => b.name).join(', ')}`);
      process.exit(0);
    } else {
      console.error(`bench: unknown argument ${arg}`);
      process.exit(2);
    }
  }
  if ('json' in out && !out.json) {
    console.error('bench: --json needs a file name');
    process.exit(2);
  }
  return out;
}

function format(x: number): string {
  return Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(3);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const kernels = kernelBuild();
  console.log(`Netwright benchmarks — node ${process.version}, ${cpus().length} × ${cpu}, wasm kernels: ${kernels} build`);
  const results: BenchResult[] = [];
  for (const bench of BENCHMARKS) {
    if (args.only && !bench.name.toLowerCase().includes(args.only.toLowerCase())) continue;
    console.log(`\n${bench.name}`);
    for (const r of await bench.run()) {
      results.push(r);
      console.log(
        `  ${r.workload.padEnd(50)} ${r.impl.padEnd(28)} ${r.metric.padEnd(12)} median ${format(r.median).padStart(9)} ${r.unit.padEnd(10)} (min ${format(r.min)}, max ${format(r.max)}, ${r.runs} runs)`,
      );
    }
  }
  if (args.json) {
    mkdirSync(dirname(args.json), { recursive: true });
    const machine = { node: process.version, cpus: cpus().length, cpu, platform: process.platform, wasmKernels: kernels };
    writeFileSync(args.json, `${JSON.stringify({ machine, date: new Date().toISOString(), peers: peerRuns, results }, null, 2)}\n`);
    console.log(`\nwrote ${results.length} results to ${args.json}`);
  }
}

await main();
