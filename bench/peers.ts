// The PyTorch and NumPy peers: bench/peers/torch_peer.py run with the system Python
// (`/usr/bin/python3`, where Debian's python3-torch and python3-numpy live) as a subprocess
// that prints JSON. One subprocess per thread count and workload; OpenBLAS reads its thread
// count from the environment when it loads, so the count is set there as well as through
// torch.set_num_threads. When Python, PyTorch or NumPy is missing, the benchmarks say they
// skipped that peer and go on: they are not part of `npm test`.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MIN_WARMUP_MS, threadLabel } from './harness.js';

export const PYTHON = process.env['NETWRIGHT_BENCH_PYTHON'] ?? '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./peers/torch_peer.py', import.meta.url));
const INSTALL_HINT = 'apt-get install python3-torch libopenblas0-pthread';

export type PeerWorkload = 'mlp' | 'cnn' | 'gemm';

/** What one peer run reports (see torch_peer.py). */
export interface PeerReport {
  readonly threads: number;
  readonly python: string;
  readonly torch: string | null;
  readonly numpy: string | null;
  /** BLAS libraries loaded in the peer process: OpenBLAS, MKL or BLIS, or the slow reference BLAS. */
  readonly blas: readonly string[];
  readonly results: Partial<Record<PeerWorkload, number[]>>;
}

/** Versions and BLAS of the peer runs (one per thread count), for the JSON report. */
export const peerRuns: PeerReport[] = [];
const notified = new Set<string>();

function note(key: string, message: string): void {
  if (notified.has(key)) return;
  notified.add(key);
  console.log(`  ${message}`);
}

/** A BLAS that is not one of the optimised ones makes torch and numpy 15-30× slower: say so. */
function describeBlas(report: PeerReport): string {
  const name = (p: string) => p.replace(/^.*\//, '');
  // Debian's alternatives load libblas.so.3 from the provider's folder, then the provider itself.
  const fast = report.blas.find((p) => /openblas|mkl|blis/i.test(name(p))) ?? report.blas.find((p) => /openblas|mkl|blis/i.test(p));
  if (fast) return fast;
  return report.blas.length ? `reference BLAS (${report.blas.join(', ')}) — slow; install libopenblas0-pthread` : 'no BLAS library found';
}

function runPeer(threads: number, workload: PeerWorkload, runs?: number, dataFile?: string): Promise<PeerReport | null> {
  if (!existsSync(PYTHON)) {
    note('python', `pytorch, numpy: skipped — ${PYTHON} is not installed (${INSTALL_HINT})`);
    return Promise.resolve(null);
  }
  // OMP_WAIT_POLICY=PASSIVE: PyTorch's OpenMP threads sleep between parallel regions instead of
  // spinning. On the 2-vCPU build machines the spinning pair collapsed in most runs (MLP 7–34k
  // samples/s, 2026-12-06) while passive threads ran a steady 23–36k: the stronger, steadier
  // peer, so a 2-thread ratio measures us rather than the collapse.
  const env = {
    ...process.env,
    OPENBLAS_NUM_THREADS: String(threads),
    OMP_NUM_THREADS: String(threads),
    MKL_NUM_THREADS: String(threads),
    ...(threads > 1 && process.env['OMP_WAIT_POLICY'] === undefined ? { OMP_WAIT_POLICY: 'PASSIVE' } : {}),
  };
  return new Promise((resolve) => {
    const args = [
      SCRIPT, String(threads), workload, `--warmup-seconds=${MIN_WARMUP_MS / 1000}`,
      ...(runs === undefined ? [] : [`--runs=${runs}`]), ...(dataFile === undefined ? [] : [`--data=${dataFile}`]),
    ];
    execFile(PYTHON, args, { env, maxBuffer: 1 << 20, timeout: 180_000 }, (error, stdout, stderr) => {
      if (error) {
        // A broken peer must not cost the rest of the run: say what failed and go on without it.
        const why = stderr.trim().split('\n').at(-1) || error.message.trim();
        note(`failed:${threads}:${workload}`, `pytorch/numpy ${workload} (${threadLabel(threads)}): skipped — ${PYTHON} ${SCRIPT} failed: ${why}`);
        resolve(null);
        return;
      }
      try {
        const report = JSON.parse(stdout) as PeerReport;
        if (!notified.has(`blas:${threads}`)) peerRuns.push(report);
        note(`blas:${threads}`, `peers (${threadLabel(threads)}): python ${report.python}, torch ${report.torch ?? 'missing'}, numpy ${report.numpy ?? 'missing'}, BLAS ${describeBlas(report)}`);
        resolve(report);
      } catch (e) {
        note(`json:${threads}:${workload}`, `pytorch/numpy ${workload}: skipped — ${SCRIPT} printed no JSON report (${(e as Error).message})\n${stderr.trim()}`);
        resolve(null);
      }
    });
  });
}

/**
 * PyTorch training throughput (samples/s, one figure per run), or null when PyTorch is missing.
 * `dataFile`: a batch written by bench/mnistBatch.ts to train on instead of a random one.
 */
export async function pytorchSamplesPerSecond(threads: number, workload: 'mlp' | 'cnn', runs?: number, dataFile?: string): Promise<number[] | null> {
  const report = await runPeer(threads, workload, runs, dataFile);
  if (!report) return null;
  if (!report.torch) {
    note('torch', `pytorch: skipped — python3-torch is not installed (${INSTALL_HINT})`);
    return null;
  }
  return report.results[workload] ?? null;
}

/** NumPy 512³ SGEMM (GFLOPS, one figure per call), or null when NumPy is missing. */
export async function numpyGemmGflops(threads: number, runs?: number): Promise<number[] | null> {
  const report = await runPeer(threads, 'gemm', runs);
  if (!report) return null;
  if (!report.numpy) {
    note('numpy', `numpy: skipped — python3-numpy is not installed (${INSTALL_HINT})`);
    return null;
  }
  return report.results.gemm ?? null;
}
