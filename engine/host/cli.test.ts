// The `netwright` command, spawned as a user runs it: info on a lesson, training a tiny
// generated set (progress lines, metrics files, checkpoint), eval of the saved weights, exit
// codes for invalid graphs, bad usage, a dataset that does not fit, and a loss that overflows.

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'netwright-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Spawns the CLI with LANG=C unless `env` says otherwise; resolves with exit code and output. */
function cli(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'engine/host/testing/runCli.ts', ...args],
      { cwd: ROOT, env: { ...process.env, LANG: 'C', LC_ALL: '', LC_MESSAGES: '', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const lesson = (name: string): string => `assets/lessons/${name}.netwright.json`;

/** A straight chain of nodes as a graph file in the temp folder. */
function graphFile(name: string, chain: readonly [string, string, Record<string, unknown>][], training: Record<string, unknown>): string {
  const nodes = chain.map(([id, type, params], i) => ({ id, type, params, position: { x: 0, y: i * 100 } }));
  const edges = nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: { node: nodes[i]!.id, port: 'out' }, target: { node: n.id, port: 'in' } }));
  const path = join(dir, `${name}.netwright.json`);
  writeFileSync(path, JSON.stringify({ format: 'netwright.graph', version: 1, name, nodes, edges, training }));
  return path;
}

describe('netwright CLI', () => {
  it('info prints per-node shapes, parameters, FLOPs and memory for a lesson', async () => {
    const r = await cli(['info', lesson('mnist-mlp')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/hidden1\s+Dense\s+\[N,512\]\s+401,920\s+803,328/);
    expect(r.stdout).toMatch(/total\s+535,818/); // 401,920 + 131,328 + 2,570
    expect(r.stdout).toContain('diagnostics: none');
    expect(r.stdout).toContain('dataset mnist');
  }, 60_000);

  it('info speaks Japanese with --lang ja or LANG=ja_JP.UTF-8', async () => {
    const a = await cli(['info', lesson('mnist-cnn'), '--lang', 'ja']);
    expect(a.stdout).toContain('パラメータ');
    expect(a.stdout).toContain('診断: 問題なし');
    const b = await cli(['info', lesson('mnist-cnn')], { LANG: 'ja_JP.UTF-8' });
    expect(b.stdout).toContain('パラメータ');
  }, 60_000);

  it('an invalid graph prints its diagnostics (code, node, message, hint) and exits 2', async () => {
    const invalid = 'engine/protocol/test/invalid/21-units-zero.netwright.json';
    for (const command of ['info', 'train']) {
      const r = await cli([command, invalid]);
      expect(r.code).toBe(2);
      const text = command === 'info' ? r.stdout + r.stderr : r.stderr;
      expect(text).toMatch(/error PARAM_RANGE \(node hidden, param units\): .*units = 0/);
      expect(text).toContain('hint:');
    }
    const broken = await cli(['train', 'engine/protocol/test/invalid/01-json-truncated.netwright.json']);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('DOC_JSON');
  }, 60_000);

  it('usage errors exit 2 with a pointer to --help; --help exits 0', async () => {
    expect((await cli(['frobnicate'])).code).toBe(2);
    expect((await cli(['train'])).stderr).toContain('give a graph file');
    const bad = await cli(['train', lesson('perceptron-and'), '--epochs', 'many']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--epochs must be a whole number');
    expect((await cli(['train', lesson('perceptron-and'), '--bogus'])).code).toBe(2);
    const help = await cli(['train', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: netwright train');
    expect((await cli(['--help', '--lang', 'ja'])).stdout).toContain('使い方');
    expect((await cli(['missing.netwright.json'])).code).toBe(2);
    expect((await cli(['info', join(dir, 'missing.netwright.json')])).code).toBe(2);
  }, 60_000);

  it('trains a tiny generated set: plain progress lines, metrics.jsonl, metrics.csv, a checkpoint; eval reads it back', async () => {
    const out = join(dir, 'and');
    const r = await cli(['train', lesson('perceptron-and'), '--out', out, '--epochs', '12']);
    expect(r.stderr).not.toContain('\r'); // not a TTY: no in-place redraws
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/epoch 12\/12 {2}loss 0\.0000 {2}acc 100\.0%/);
    expect(r.stdout).toContain('train: loss 0.0000  accuracy 100.00%');
    const jsonl = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; epoch: number; train: { accuracy: number } });
    expect(jsonl).toHaveLength(12);
    expect(jsonl.map((l) => l.epoch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(jsonl.at(-1)!.train.accuracy).toBe(1);
    const csv = readFileSync(join(out, 'metrics.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('epoch,step,lr,seconds,train_loss,train_accuracy,val_loss,val_accuracy');
    expect(csv).toHaveLength(13);
    expect(csv[12]).toMatch(/^12,48,0\.1,/);
    const weights = join(out, 'perceptron-and.safetensors');
    expect(existsSync(weights)).toBe(true);
    expect(existsSync(join(out, 'perceptron-and.netwright.json'))).toBe(true);

    const e = await cli(['eval', join(out, 'perceptron-and.netwright.json'), '--weights', weights, '--json']);
    expect(e.code).toBe(0);
    const metrics = JSON.parse(e.stdout) as { accuracy: number; confusion: number[][] };
    expect(metrics.accuracy).toBe(1);
    expect(metrics.confusion).toEqual([[3, 0], [0, 1]]);
    const text = await cli(['eval', lesson('perceptron-and'), '--weights', weights, '--lang', 'ja']);
    expect(text.stdout).toContain('正解率 100.00%');
    expect(text.stdout).toContain('混同行列');
    const wrong = await cli(['eval', lesson('xor-two-layer'), '--weights', weights]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/"perceptron\.weight" that no node of this graph has/);
  }, 120_000);

  it('resumes from a checkpoint with --resume and appends to the metrics', async () => {
    const out = join(dir, 'xor');
    expect((await cli(['train', lesson('xor-two-layer'), '--out', out, '--epochs', '300', '--quiet'])).code).toBe(0);
    const r = await cli(['train', lesson('xor-two-layer'), '--out', out, '--epochs', '1000', '--resume', join(out, 'xor-two-layer.safetensors'), '--quiet']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('accuracy 100.00%');
    const csv = readFileSync(join(out, 'metrics.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(1001);
    expect(csv[1000]).toMatch(/^1000,1000,/);
  }, 120_000);

  it('a dataset that does not fit the graph exits 2, naming the node and both shapes', async () => {
    const path = graphFile('mismatch', [['pixels', 'Input', { shape: [3] }], ['out', 'Dense', { units: 1 }], ['sig', 'Sigmoid', {}], ['loss', 'BinaryCrossEntropy', {}]], { dataset: { name: 'and' }, validationSplit: 0 });
    const r = await cli(['train', path, '--out', join(dir, 'mismatch')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Input "pixels" expects samples of shape [N,3], but dataset');
    expect(r.stderr).toContain('[N,2]');
    expect(r.stderr).toContain('[DATA_SHAPE]');
  }, 60_000);

  it('a loss that overflows stops training with exit 1 and the bilingual advice', async () => {
    const path = graphFile('diverge', [['x', 'Input', { shape: [1] }], ['fit', 'Dense', { units: 1 }], ['loss', 'MSE', {}]], {
      dataset: { name: 'sine' }, optimizer: { type: 'sgd', lr: 10 }, mode: 'minibatch', batchSize: 16, epochs: 100, validationSplit: 0,
    });
    const r = await cli(['train', path, '--out', join(dir, 'diverge')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Training stopped at step \d+ \(epoch \d+\): the loss (became (NaN|Infinity)|exploded from)/);
    expect(r.stderr).toMatch(/\[LOSS_(NOT_FINITE|DIVERGED)\]/);
    expect(r.stderr).toContain('Lower the learning rate');
    expect(existsSync(join(dir, 'diverge', 'diverge.safetensors'))).toBe(false);
    const ja = await cli(['train', path, '--out', join(dir, 'diverge'), '--lang', 'ja']);
    expect(ja.stderr).toContain('学習を止めました');
  }, 60_000);

  it('--lr 1e6 is accepted (with a warning) and the run stops within a few steps, as NaN or as divergence', async () => {
    const path = graphFile('lr1e6', [['x', 'Input', { shape: [784] }], ['fc', 'Dense', { units: 32 }], ['act', 'ReLU', {}], ['out', 'Dense', { units: 10 }], ['loss', 'CrossEntropy', {}]], {
      dataset: { name: 'mnist' }, optimizer: { type: 'sgd', lr: 0.1 }, mode: 'minibatch', batchSize: 32, epochs: 1, validationSplit: 0,
    });
    const r = await cli(['train', path, '--lr', '1e6', '--out', join(dir, 'lr1e6')]);
    expect(r.code).toBe(1);
    // With ReLU a million-fold step kills every unit: the loss explodes but may stay finite.
    const stopped = /Training stopped at step (\d+) \(epoch \d+\): the loss (became (NaN|Infinity)|exploded from)/.exec(r.stderr);
    expect(stopped, r.stderr).not.toBeNull();
    expect(r.stderr).toMatch(/\[LOSS_(NOT_FINITE|DIVERGED)\]/);
    expect(Number(stopped![1])).toBeLessThan(5);
  }, 60_000);

  it('--backend webgpu trains (SwiftShader here; the no-adapter fallback is in backends.test.ts); --backend reference works', async () => {
    const a = await cli(['train', lesson('perceptron-or'), '--out', join(dir, 'or'), '--backend', 'webgpu', '--quiet']);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stderr).not.toContain('continuing on the CPU backend');
    const b = await cli(['train', lesson('perceptron-or'), '--out', join(dir, 'or'), '--backend', 'reference', '--quiet']);
    expect(b.code).toBe(0);
    expect((await cli(['train', lesson('perceptron-or'), '--backend', 'tpu'])).code).toBe(2);
  }, 60_000);

  it('export: TypeScript, ONNX and plain weights from a checkpoint, which train --init reads back', async () => {
    const out = join(dir, 'xor');
    const trained = await cli(['train', lesson('xor-two-layer'), '--epochs', '20', '--out', out, '--quiet']);
    expect(trained.code, trained.stderr).toBe(0);
    const weights = join(out, 'xor-two-layer.safetensors');
    const ts = await cli(['export', '--to', 'ts', lesson('xor-two-layer'), '--out', join(dir, 'xor.ts')]);
    expect(ts.code, ts.stderr).toBe(0);
    expect(readFileSync(join(dir, 'xor.ts'), 'utf8')).toContain("from \"netwright\"");
    const onnx = await cli(['export', '--to', 'onnx', lesson('xor-two-layer'), '--weights', weights, '--out', join(dir, 'xor.onnx')]);
    expect(onnx.code, onnx.stderr).toBe(0);
    expect(readFileSync(join(dir, 'xor.onnx')).length).toBeGreaterThan(100);
    const plain = await cli(['export', '--to', 'safetensors', lesson('xor-two-layer'), '--weights', weights, '--out', join(dir, 'xor.weights.safetensors')]);
    expect(plain.code, plain.stderr).toBe(0);
    const header = readFileSync(join(dir, 'xor.weights.safetensors')).toString('utf8', 8, 2000);
    expect(header).toContain('hidden.weight');
    expect(header).not.toContain('optimizer.');
    const init = await cli(['train', lesson('xor-two-layer'), '--epochs', '1', '--init', join(dir, 'xor.weights.safetensors'), '--out', join(dir, 'xor-init'), '--quiet']);
    expect(init.code, init.stderr).toBe(0);
    // ONNX needs weights; a node with no ONNX form is refused by name.
    expect((await cli(['export', '--to', 'onnx', lesson('xor-two-layer')])).code).toBe(2);
    const step = await cli(['export', '--to', 'onnx', lesson('perceptron-and'), '--weights', weights]);
    expect(step.code).toBe(2);
  }, 120_000);
});
