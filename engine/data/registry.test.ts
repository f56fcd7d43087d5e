// The registry agrees with what loadDataset returns (shape, task, classes, split sizes) for
// every dataset that needs no files, every entry is complete in English and Japanese, and
// names, aliases, paths and options are checked with clear messages.

import { existsSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { completeDocument, GRAPH_FORMAT, SCHEMA_VERSION } from '../protocol/document.js';
import { DatasetError } from './dataset.js';
import { FASHION_MNIST_SYSTEM_DIR } from './idx.js';
import { loadDataset, resolveDatasetName } from './load.js';
import { DATASETS, datasetNames } from './registry.js';
import { tempDirs } from './testing/fixtures.js';

const tmp = tempDirs('nw-reg-');

describe('dataset registry', () => {
  it('lists every built-in with English and Japanese text', () => {
    expect(datasetNames()).toEqual([
      'mnist', 'fashion-mnist', 'cifar10', 'idx', 'csv', 'images',
      'and', 'or', 'nand', 'xor', 'circle', 'xor2d', 'gaussians', 'spiral', 'moons', 'sine', 'sine-wave', 'adding',
    ]);
    for (const d of DATASETS) {
      for (const t of [d.title, d.description, ...(d.classes ?? []), ...d.options.map((o) => o.description)]) {
        expect(t.en.length, d.name).toBeGreaterThan(0);
        expect(t.ja.length, d.name).toBeGreaterThan(0);
      }
    }
    expect(DATASETS.find((d) => d.name === 'fashion-mnist')?.classes?.[9]).toEqual({ en: 'Ankle boot', ja: 'アンクルブーツ' });
  });

  it('matches what every file-free dataset loads', async () => {
    const cacheDir = tmp();
    for (const info of DATASETS) {
      if (info.needsPath || (info.name === 'fashion-mnist' && !existsSync(FASHION_MNIST_SYSTEM_DIR))) continue;
      const s = await loadDataset({ name: info.name }, { cacheDir });
      expect(s.train.inputShape, info.name).toEqual(info.inputShape);
      expect(s.train.task, info.name).toBe(info.task);
      expect(s.train.size, info.name).toBe(info.splits?.train);
      expect(s.test?.size, info.name).toBe(info.splits?.test);
      if (info.classes) expect(s.train.classes, info.name).toEqual(info.classes.map((c) => c.en));
      if (info.targetShape) expect(s.train.targetShape, info.name).toEqual(info.targetShape);
      expect(s.train.x.length, info.name).toBe(s.train.size * info.inputShape!.reduce((a, b) => a * b, 1));
    }
  }, 30_000);

  it('resolves names leniently and refuses unknown ones with the list', () => {
    expect(resolveDatasetName('Fashion_MNIST').name).toBe('fashion-mnist');
    expect(resolveDatasetName('CIFAR-10').name).toBe('cifar10');
    expect(resolveDatasetName(' MNIST ').name).toBe('mnist');
    let err: unknown;
    try {
      resolveDatasetName('imagenet');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DatasetError);
    expect((err as DatasetError).message).toBe('unknown dataset "imagenet"');
    expect((err as DatasetError).hint).toMatch(/^Built-in datasets: mnist, fashion-mnist, cifar10, /);
  });

  it('requires a path where one is needed and resolves it against baseDir', async () => {
    await expect(loadDataset({ name: 'csv' })).rejects.toThrow('dataset "csv" needs a path');
    const dir = tmp();
    writeFileSync(join(dir, 'd.csv'), 'a,b\n1,2\n');
    const s = await loadDataset({ name: 'csv', path: 'd.csv' }, { baseDir: dir, cache: false });
    expect(s.train.name).toBe('d.csv');
    await expect(loadDataset({ name: 'csv', path: 'nope.csv' }, { baseDir: dir, cache: false })).rejects.toThrow(`file not found: ${join(dir, 'nope.csv')}`);
  });

  it('refuses options on datasets that take none', async () => {
    await expect(loadDataset({ name: 'mnist', options: { size: 14 } })).rejects.toThrow('dataset "mnist" has no option "size"');
  });

  it('accepts the options field of the graph document', async () => {
    const doc = completeDocument({
      format: GRAPH_FORMAT,
      version: SCHEMA_VERSION,
      nodes: [],
      training: { dataset: { name: 'spiral', options: { samples: 40, noise: 0.2, classes: 3 } } },
    });
    const s = await loadDataset(doc.training.dataset, { seed: doc.training.seed });
    expect(s.train.size).toBe(40);
    expect(s.train.classes).toHaveLength(3);
    expect(basename(s.train.name)).toBe('spiral (train)');
  });
});
