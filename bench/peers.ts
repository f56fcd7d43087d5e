// The PyTorch and NumPy peers: bench/peers/torch_peer.py run with the system Python
// (`/usr/bin/python3`, where Debian's python3-torch and python3-numpy live) as a subprocess
// that speaks JSON lines. One process per thread count, workload and batch, started once,
// warmed up once (as long as ours: MIN_WARMUP_MS) and then asked for a few runs in each round
// of a benchmark (`torch_peer.py --serve`), so its runs can alternate with ours at little cost.
// OpenBLAS reads its thread count from the environment when it loads, so the count is set there
// as well as through torch.set_num_threads. When Python, PyTorch or NumPy is missing, the
// benchmarks say they skipped that peer and go on: they are not part of `npm test`.

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
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

/** Seconds a peer may take to start and warm up, or to answer one request. */
const PEER_TIMEOUT_S = 180;

/** A warmed-up peer process: `measure(n)` times n more runs; null once it has failed. */
export interface PeerSession {
  measure(runs: number): Promise<number[] | null>;
  close(): void;
}

/**
 * Starts torch_peer.py --serve for one workload and waits until it has warmed up. Null (and a
 * line saying why, once) when Python or the workload's library is missing or the peer fails.
 */
async function startPeer(threads: number, workload: PeerWorkload, dataFile?: string): Promise<PeerSession | null> {
  if (!existsSync(PYTHON)) {
    note('python', `pytorch, numpy: skipped — ${PYTHON} is not installed (${INSTALL_HINT})`);
    return null;
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
  const args = [SCRIPT, String(threads), workload, '--serve', `--warmup-seconds=${MIN_WARMUP_MS / 1000}`, ...(dataFile === undefined ? [] : [`--data=${dataFile}`])];
  const child = spawn(PYTHON, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<number | string>((resolve) => child.on('close', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  let failed = false;
  const fail = (why: string): null => {
    failed = true;
    child.kill();
    note(`failed:${threads}:${workload}`, `pytorch/numpy ${workload} (${threadLabel(threads)}): skipped — ${PYTHON} ${SCRIPT} failed: ${why}`);
    return null;
  };
  /** The peer's next JSON line, or null when it exits, prints something else or takes too long. */
  const next = async (): Promise<Record<string, unknown> | null> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), PEER_TIMEOUT_S * 1000)));
    try {
      const line = await Promise.race([lines.next(), timeout]);
      if (line === 'timeout') return fail(`no answer within ${PEER_TIMEOUT_S} s`);
      if (line.done) {
        // Its stdout closed: wait for the exit, so that what it printed on stderr is all here.
        const code = await exited;
        return fail(stderr.trim().split('\n').at(-1) || `exited with code ${code}`);
      }
      try {
        return JSON.parse(line.value) as Record<string, unknown>;
      } catch (e) {
        return fail(`printed no JSON (${(e as Error).message}): ${line.value.slice(0, 200)}`);
      }
    } finally {
      clearTimeout(timer);
    }
  };
  child.on('error', () => undefined); // a failed spawn closes stdout: reported by next()
  const report = (await next()) as unknown as (PeerReport & { ready: boolean }) | null;
  if (!report) return null;
  const { threads: t, python, torch, numpy, blas } = report;
  if (!notified.has(`blas:${threads}`)) peerRuns.push({ threads: t, python, torch, numpy, blas });
  note(`blas:${threads}`, `peers (${threadLabel(threads)}): python ${report.python}, torch ${report.torch ?? 'missing'}, numpy ${report.numpy ?? 'missing'}, BLAS ${describeBlas(report)}`);
  if (!report.ready) {
    child.kill();
    const [key, what] = workload === 'gemm' ? ['numpy', 'numpy: skipped — python3-numpy'] : ['torch', 'pytorch: skipped — python3-torch'];
    note(key, `${what} is not installed (${INSTALL_HINT})`);
    return null;
  }
  return {
    async measure(runs) {
      if (failed) return null;
      child.stdin.write(`run ${runs}\n`);
      const answer = await next();
      const results = answer?.['results'];
      return Array.isArray(results) ? (results as number[]) : answer ? fail(String(answer['error'] ?? 'answered without results')) : null;
    },
    close() {
      child.stdin.end();
    },
  };
}

/**
 * PyTorch training throughput (samples/s, one figure per run): a warmed-up peer to ask in
 * rounds, or null when PyTorch is missing. `dataFile`: a batch written by bench/mnistBatch.ts
 * to train on instead of a random one.
 */
export function pytorchTraining(threads: number, workload: 'mlp' | 'cnn', dataFile?: string): Promise<PeerSession | null> {
  return startPeer(threads, workload, dataFile);
}

/** NumPy 512³ SGEMM (GFLOPS, one figure per call): a warmed-up peer, or null when NumPy is missing. */
export function numpyGemm(threads: number): Promise<PeerSession | null> {
  return startPeer(threads, 'gemm');
}
