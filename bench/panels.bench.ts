// Training throughput with every panel open in the real app (issue #7, acceptance 7): the web
// host that `npm start` runs, Chromium showing the editor with the training dock open (curves,
// histograms, filters, confusion matrix, try it — everything subscribed and drawing), a run
// started with the training panel's Run button, against the headless CLI
// (`node bin/netwright.js train --quiet`) on the same graph, measured in the same process,
// alternating, with the median ratio. Both sides use the built engine (dist/) with their default
// thread count, and both are timed from their own epoch records (samples ÷ seconds, leaving out
// the first epoch), so start-up and dataset loading count for neither.
//
// The bench reads the app's epoch records over its own engine socket (the URL's token, the
// page's origin), as a second window would: a listener to the epoch stream only, a few messages
// per run. Needs a build (`npm run build`) and Chromium (NETWRIGHT_CHROMIUM or /usr/bin/chromium).

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import WebSocket from 'ws';
import { ChannelClient, ENGINE, FramedTransport, type EngineProtocol, type TrainingStatus, type WireEpochRecord } from '../engine/protocol/index.js';
import { summarise, type BenchResult, type Benchmark } from './harness.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LESSON = join(ROOT, 'assets', 'lessons', 'mnist-mlp.netwright.json');
const EPOCHS = Number(process.env['NETWRIGHT_BENCH_PANELS_EPOCHS'] ?? 6);
const RUNS = Number(process.env['NETWRIGHT_BENCH_PANELS_RUNS'] ?? 5);
const URL_LINE = /Netwright is running at (http:\/\/\S+)/;

interface EpochLike {
  readonly epoch: number;
  readonly seconds: number;
  readonly train: { readonly samples: number };
}

/** Samples per second over the epochs after the first (warm-up), as bench/streaming does. */
function throughput(records: readonly EpochLike[]): number {
  const steady = records.filter((r) => r.epoch > 1);
  return steady.reduce((n, r) => n + r.train.samples, 0) / steady.reduce((s, r) => s + r.seconds, 0);
}

async function startApp(documents: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['scripts/start.mjs', '--documents', documents], {
    cwd: ROOT,
    env: { ...process.env, NETWRIGHT_NO_ELECTRON_DOWNLOAD: '1', XDG_CONFIG_HOME: join(documents, 'config') },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    lines.on('line', (line) => {
      const match = URL_LINE.exec(line);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`scripts/start.mjs exited (${code}) before printing a URL`)));
  });
  return { url, child };
}

async function stopApp(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

/** A client of the app's engine socket, as another window of the app would open it. */
async function engineClient(url: string): Promise<ChannelClient<EngineProtocol>> {
  const parsed = new URL(url);
  const ws = new WebSocket(`${parsed.origin.replace(/^http/, 'ws')}/engine?token=${parsed.searchParams.get('token') ?? ''}`, { origin: parsed.origin });
  ws.binaryType = 'nodebuffer';
  await once(ws, 'open');
  const transport = new FramedTransport({ sendBytes: (bytes) => ws.send(bytes), close: (code, reason) => ws.close(code, reason) });
  ws.on('message', (data) => transport.receive(data as Buffer));
  ws.on('close', (code, reason) => transport.ended(code, reason.toString()));
  const client = new ChannelClient(transport, ENGINE, { client: 'bench', timeoutMs: 120_000 });
  await client.connect();
  return client;
}

/** One run of the app, started by `start` (a click, a key); its throughput from its epoch records. */
async function appRun(client: ChannelClient<EngineProtocol>, start: () => Promise<void>): Promise<number> {
  const before = (await client.call('train.status', {})).runId;
  const records: WireEpochRecord[] = [];
  const epochs = client.listen('epoch', {}, (e) => {
    if (e.runId > before) records.push(...e.records);
  });
  const ended = new Promise<TrainingStatus>((resolve, reject) => {
    const states = client.listen('state', {}, (status) => {
      if (status.runId <= before) return;
      if (status.state === 'completed') {
        states.dispose();
        resolve(status);
      } else if (status.state === 'failed' || status.state === 'stopped') reject(new Error(`the run ended ${status.state}: ${status.error?.message.en ?? ''}`));
    });
  });
  await start();
  await ended;
  epochs.dispose();
  return throughput(records);
}

async function cliRun(graph: string, out: string): Promise<number> {
  const child = spawn(process.execPath, ['bin/netwright.js', 'train', graph, '--quiet', '--out', out], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`the CLI exited with ${code}`);
  const lines = (await readFile(join(out, 'metrics.jsonl'), 'utf8')).split('\n').filter((line) => line.trim() !== '');
  return throughput(lines.map((line) => JSON.parse(line) as EpochLike & { type: string }).filter((r) => r.type === 'epoch'));
}

export const panelsBenchmark: Benchmark = {
  name: 'Training with all panels open in the app (web host + Chromium vs headless CLI)',
  async run() {
    const dir = await mkdtemp(join(tmpdir(), 'netwright-bench-panels-'));
    const doc = JSON.parse(await readFile(LESSON, 'utf8')) as { training: { epochs: number } };
    doc.training.epochs = EPOCHS;
    const graph = join(dir, 'mnist-mlp.netwright.json');
    await writeFile(graph, JSON.stringify(doc));
    const executablePath = process.env['NETWRIGHT_CHROMIUM'] ?? '/usr/bin/chromium';
    if (!existsSync(executablePath)) throw new Error(`no Chromium at ${executablePath}: install it (apt-get install chromium) or set NETWRIGHT_CHROMIUM`);
    const { url, child } = await startApp(dir);
    const browser = await chromium.launch({
      executablePath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--no-first-run'],
    });
    let client: ChannelClient<EngineProtocol> | null = null;
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, locale: 'en-US' });
      await page.goto(url);
      await page.waitForFunction(() => (window as { __netwrightTest?: { engineStatus(): string } }).__netwrightTest?.engineStatus() === 'connected');
      await page.evaluate((d) => (window as unknown as { __netwrightTest: { loadDocument(doc: unknown): void } }).__netwrightTest.loadDocument(d), doc);
      await page.getByTestId('panels-toggle').click();
      // Every panel card open (they open by default; this checks none is folded).
      const cards = await page.locator('[data-testid^="panel-"][data-open]').evaluateAll((els) => els.map((el) => `${el.getAttribute('data-testid')}=${el.getAttribute('data-open')}`));
      if (cards.length < 5 || cards.some((c) => c.endsWith('=false'))) throw new Error(`not every panel is open: ${cards.join(', ')}`);
      client = await engineClient(url);
      // One untimed run each: the dataset cache, the page's first drawing, the page cache.
      await cliRun(graph, join(dir, 'warmup'));
      const run = () => page.getByTestId('train-panel-run').click();
      await appRun(client, run);
      const cli: number[] = [];
      const app: number[] = [];
      const closed: number[] = [];
      const toggle = page.getByTestId('panels-toggle');
      for (let r = 0; r < RUNS; r++) {
        cli.push(await cliRun(graph, join(dir, `run${r}`)));
        app.push(await appRun(client, run));
        // The same app with the dock folded (the top bar's progress line only): what the panels cost.
        await toggle.click();
        closed.push(await appRun(client, () => page.getByTestId('train-run').click()));
        await toggle.click();
      }
      const workload = `mnist-mlp lesson (784-512-256-10, batch 16), epochs 2-${EPOCHS}; panels: ${cards.map((c) => c.replace(/^panel-|=true$/g, '')).join(', ')}`;
      const headless = summarise(cli, { workload, impl: 'netwright-cli (headless)', metric: 'throughput', unit: 'samples/s' });
      const live = summarise(app, { workload, impl: 'netwright-app (all panels)', metric: 'throughput', unit: 'samples/s' });
      const folded = summarise(closed, { workload, impl: 'netwright-app (dock folded)', metric: 'throughput', unit: 'samples/s' });
      const rows: BenchResult[] = [
        headless,
        live,
        folded,
        { workload, impl: 'app with panels / headless', metric: 'ratio', unit: 'x', median: live.median / headless.median, min: live.min / headless.max, max: live.max / headless.min, runs: RUNS },
        // Each pair ran back to back: the median of their ratios shrugs off drift in the machine's load.
        summarise(app.map((a, i) => a / cli[i]!), { workload, impl: 'app with panels / headless, paired', metric: 'ratio', unit: 'x' }),
        { workload, impl: 'app, dock folded / headless', metric: 'ratio', unit: 'x', median: folded.median / headless.median, min: folded.min / headless.max, max: folded.max / headless.min, runs: RUNS },
      ];
      return rows;
    } finally {
      client?.close();
      await browser.close();
      await stopApp(child);
      await rm(dir, { recursive: true, force: true });
    }
  },
};
