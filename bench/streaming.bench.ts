// Training throughput with live streaming (issue #5): the MLP workload (784-256-128-10, ReLU,
// softmax cross-entropy, Adam, batch 128, MNIST) trained by the engine process while a client
// takes every stream a panel could show — state, progress, epochs, weight and gradient
// histograms, feature maps — against the same training by the headless CLI (`netwright train
// --quiet`), measured in the same run, alternating, with the ratio. Both run as child processes
// on the same backend and thread count, and both are timed from their own epoch records
// (samples trained ÷ seconds), so dataset loading and process start-up count for neither.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultThreads } from '../engine/backends/wasm/index.js';
import { connectInProcess, EngineProcess } from '../engine/host/engineProcess.js';
import { ChannelClient, ENGINE, type GraphDocumentInput, type TrainingStatus, type WireEpochRecord } from '../engine/protocol/index.js';
import { summarise, type BenchResult, type Benchmark } from './harness.js';
import { MLP_SIZES, mlpDocument } from './workloads.js';

const EPOCHS = 12;
const RUNS = 5;
const WORKLOAD = `MLP 784-256-128-10 on MNIST, batch 128, epochs 2-${EPOCHS}`;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = fileURLToPath(new URL('../engine/host/cli.ts', import.meta.url));

/**
 * Samples trained per second over a run's epochs (validation included in each, as both sides log
 * it), leaving out the first: a fresh CLI process spends it warming up V8, a running engine does
 * not, and the comparison is of the steady state.
 */
function throughput(records: readonly { epoch: number; seconds: number; train: { samples: number } }[]): number {
  const steady = records.filter((r) => r.epoch > 1);
  const samples = steady.reduce((n, r) => n + r.train.samples, 0);
  const seconds = steady.reduce((s, r) => s + r.seconds, 0);
  return samples / seconds;
}

/** The headless CLI in a child process, as `netwright train --quiet` runs it (from source, like the engine). */
async function cliRun(graph: string, out: string, threads: number): Promise<number> {
  const runner = join(out, '..', `cli-${Date.now()}.mts`);
  await writeFile(runner, `import { main } from ${JSON.stringify(CLI)};\nprocess.exitCode = await main(${JSON.stringify(['train', graph, '--quiet', '--threads', String(threads), '--out', out])});\n`);
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', runner], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the CLI exited with ${code}`))));
  });
  const lines = (await readFile(join(out, 'metrics.jsonl'), 'utf8')).split('\n').filter((line) => line.trim() !== '');
  const records = lines.map((line) => JSON.parse(line) as { type: string; epoch: number; seconds: number; train: { samples: number } }).filter((r) => r.type === 'epoch');
  return throughput(records);
}

/** The engine process with a client subscribed to every stream, decoding each update. */
async function streamedRun(engine: EngineProcess, doc: GraphDocumentInput): Promise<{ samplesPerSecond: number; updates: number }> {
  const client = new ChannelClient(connectInProcess(engine), ENGINE, { client: 'bench', timeoutMs: 120_000 });
  await client.connect();
  const records: WireEpochRecord[] = [];
  let updates = 0;
  const count = () => void updates++;
  client.listen('progress', {}, count);
  client.listen('epoch', {}, (e) => {
    updates++;
    records.push(...e.records);
  });
  client.listen('histograms', { kinds: ['weight', 'gradient'], bins: 30, maxRate: 10 }, count);
  client.listen('activations', { sample: 0, maxRate: 5 }, count);
  const { runId } = await client.call('train.start', { document: doc });
  await new Promise<TrainingStatus>((resolve, reject) => {
    client.listen('state', {}, (status) => {
      updates++;
      if (status.runId !== runId) return;
      if (status.state === 'completed') resolve(status);
      else if (status.state === 'failed' || status.state === 'stopped') reject(new Error(`the run ended ${status.state}: ${status.error?.message.en ?? ''}`));
    });
  });
  client.close();
  return { samplesPerSecond: throughput(records), updates };
}

export const streamingBenchmark: Benchmark = {
  name: 'Training with live streaming (engine process vs headless CLI)',
  async run() {
    const dir = await mkdtemp(join(tmpdir(), 'netwright-bench-streaming-'));
    const threads = defaultThreads();
    const engine = new EngineProcess({ args: ['--threads', String(threads), '--documents', dir] });
    try {
      const doc = mlpDocument(MLP_SIZES, { epochs: EPOCHS, seed: 1, validationSplit: 0.2 });
      const graph = join(dir, 'mlp.netwright.json');
      await writeFile(graph, JSON.stringify(doc));
      await engine.start();
      // One untimed run each: fills the dataset cache and warms the page cache.
      await cliRun(graph, join(dir, 'warmup'), threads);
      await streamedRun(engine, doc);
      const cli: number[] = [];
      const streamed: number[] = [];
      let updates = 0;
      for (let r = 0; r < RUNS; r++) {
        cli.push(await cliRun(graph, join(dir, `run${r}`), threads));
        const run = await streamedRun(engine, doc);
        streamed.push(run.samplesPerSecond);
        updates += run.updates;
      }
      const workload = `${WORKLOAD}, ${threads} thread${threads > 1 ? 's' : ''}`;
      const row = (samples: number[], impl: string) => summarise(samples, { workload, impl, metric: 'throughput', unit: 'samples/s' });
      const headless = row(cli, 'netwright-cli (headless)');
      const live = row(streamed, 'netwright-engine (streaming)');
      const rows: BenchResult[] = [
        headless,
        live,
        {
          workload,
          impl: 'streaming / headless',
          metric: 'ratio',
          unit: 'x',
          median: live.median / headless.median,
          min: live.min / headless.max,
          max: live.max / headless.min,
          runs: RUNS,
        },
        summarise([updates / RUNS], { workload, impl: 'netwright-engine (streaming)', metric: 'updates', unit: 'per run' }),
      ];
      return rows;
    } finally {
      await engine.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
};
