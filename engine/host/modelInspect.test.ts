// The training panels' engine methods over the channel, in-process on the wasm backend: the
// dataset list, the confusion matrix on the validation split (counts summing to its size, the
// listed samples really in their cells) and sample values, and their refusals.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWasmBackend } from '../backends/wasm/index.js';
import type { DatasetSplits } from '../data/index.js';
import { ChannelClient, ChannelError, createTransportPair, ENGINE, fromWireTensor, type EngineProtocol, type GraphDocumentInput, type TrainingStatus } from '../protocol/index.js';
import { blobs } from '../train/testing/datasets.js';
import { blobsClassifier } from '../train/testing/graphs.js';
import { Engine } from './engineServer.js';
import { firstUnits } from './modelInspect.js';
import { PathPolicy } from './paths.js';

let dir: string;
let engine: Engine;
let client: ChannelClient<EngineProtocol>;
const data: DatasetSplits = { train: blobs(3, 2, 90, 5) };

const doc: GraphDocumentInput = blobsClassifier('Tanh', { dataset: { name: 'blobs' }, optimizer: { type: 'adam', lr: 0.05 }, batchSize: 16, epochs: 8, seed: 3, validationSplit: 0.3 });

function finished(): Promise<TrainingStatus> {
  return new Promise((resolve) => {
    const subscription = client.listen('state', {}, (status) => {
      if (status.runId > 0 && ['completed', 'failed', 'stopped'].includes(status.state)) {
        subscription.dispose();
        resolve(status);
      }
    });
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'netwright-inspect-'));
  const paths = await PathPolicy.create([{ path: dir, label: 'Documents', writable: true }]);
  engine = new Engine({ backend: () => createWasmBackend({ threads: 1 }), paths, loadDataset: () => Promise.resolve(data) });
  const [a, b] = createTransportPair();
  engine.serve(b);
  client = new ChannelClient(a, ENGINE, { client: 'vitest', timeoutMs: 20_000 });
  await client.connect();
});

afterAll(async () => {
  client.close();
  await engine.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('training panel methods', () => {
  it('lists the built-in datasets with both languages', async () => {
    const { datasets } = await client.call('datasets.list', {});
    const mnist = datasets.find((d) => d.name === 'mnist');
    expect(mnist).toMatchObject({ source: 'bundled', task: 'classification', inputShape: [1, 28, 28], needsPath: false });
    expect(mnist?.title.ja).not.toBe('');
    expect(datasets.length).toBeGreaterThan(3);
  });

  it('refuses a confusion matrix before any model exists', async () => {
    await expect(client.call('model.confusion', {})).rejects.toMatchObject({ code: 'NO_MODEL' });
  });

  it('gives the validation confusion matrix: counts sum to the split, cells list their samples', async () => {
    const done = finished();
    await client.call('train.start', { document: doc });
    expect((await done).state).toBe('completed');
    const result = await client.call('model.confusion', { maxPerCell: 1000 });
    const validationSize = Math.floor(270 * 0.3);
    expect(result.size).toBe(validationSize);
    expect(result.classes).toHaveLength(3);
    const total = result.counts.flat().reduce((sum, c) => sum + c, 0);
    expect(total).toBe(validationSize);
    const diagonal = result.counts.reduce((sum, row, i) => sum + row[i]!, 0);
    // Three well-separated blobs: the trained net gets most of them right.
    expect(diagonal / total).toBeGreaterThan(0.8);
    const labels = data.train.y as Int32Array;
    result.samples.forEach((row, truth) =>
      row.forEach((cell, predicted) => {
        expect(cell).toHaveLength(result.counts[truth]![predicted]!);
        for (const s of cell) expect(labels[s]).toBe(truth);
      }),
    );
    // The samples of an off-diagonal cell are predicted as its column's class.
    const offDiagonal = result.samples.flatMap((row, truth) => row.flatMap((cell, predicted) => (truth !== predicted ? cell.map((s) => ({ s, predicted })) : [])));
    for (const { s, predicted } of offDiagonal.slice(0, 5)) {
      const [sample] = (await client.call('data.samples', { indices: [s] })).samples;
      const answer = await client.call('predict', { input: sample!.input });
      expect(answer.classes).toEqual([predicted]);
    }
    const capped = await client.call('model.confusion', { maxPerCell: 2 });
    expect(Math.max(...capped.samples.flat().map((cell) => cell.length))).toBeLessThanOrEqual(2);
    expect(capped.counts).toEqual(result.counts);
  });

  it('reads only the first units of a layer when asked: the columns of a matrix, the entries of a bias', async () => {
    const full = await client.call('model.filters', { nodeId: 'fc1' });
    const some = await client.call('model.filters', { nodeId: 'fc1', units: 3 });
    const weight = (r: typeof full) => r.params.find((p) => p.name === 'weight')!.tensor;
    const bias = (r: typeof full) => r.params.find((p) => p.name === 'bias')!.tensor;
    expect(weight(full).shape).toEqual([2, 8]);
    expect(weight(some).shape).toEqual([2, 3]);
    const all = fromWireTensor(weight(full));
    expect(Array.from(fromWireTensor(weight(some)))).toEqual([...all.subarray(0, 3), ...all.subarray(8, 11)]);
    expect(Array.from(fromWireTensor(bias(some)))).toEqual(Array.from(fromWireTensor(bias(full)).subarray(0, 3)));
    // More units than the layer has: the whole layer.
    expect(weight(await client.call('model.filters', { nodeId: 'fc1', units: 100 })).shape).toEqual([2, 8]);
  });

  it('returns sample values and labels, and refuses an index past the end', async () => {
    const { samples, size } = await client.call('data.samples', { indices: [0, 5] });
    expect(size).toBe(270);
    expect(samples.map((s) => s.index)).toEqual([0, 5]);
    expect(samples[1]!.label).toBe((data.train.y as Int32Array)[5]);
    expect(Array.from(fromWireTensor(samples[1]!.input))).toEqual(Array.from(data.train.x.subarray(10, 12)));
    const error = await client.call('data.samples', { indices: [270] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChannelError);
    expect((error as ChannelError).message).toMatch(/sample 270 is past the end of the dataset \(270 samples\)/);
  });
});

describe('firstUnits', () => {
  it('keeps the first filters of a convolution [out, in, kh, kw]', () => {
    const values = Float32Array.from({ length: 4 * 2 * 3 * 3 }, (_, i) => i);
    const { values: kept, shape } = firstUnits(values, [4, 2, 3, 3], 2);
    expect(shape).toEqual([2, 2, 3, 3]);
    expect(Array.from(kept)).toEqual(Array.from(values.subarray(0, 36)));
  });
});
