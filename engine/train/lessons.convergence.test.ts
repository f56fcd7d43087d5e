// Convergence tier (run by `npm run test:convergence`, not by the unit run): the MNIST and
// Fashion-MNIST lessons, trained exactly as the gallery ships them (their seeds, epochs and
// schedules) on the CPU backend, must reach their test accuracies. The Fashion-MNIST cases
// skip, saying why, only when Debian's dataset-fashion-mnist is not installed.

import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../backends/backend.js';
import { createWasmBackend } from '../backends/wasm/index.js';
import { FASHION_MNIST_SYSTEM_DIR, loadDataset } from '../data/index.js';
import { loadDocument, type GraphDocument } from '../protocol/index.js';
import { evaluate, Trainer } from './trainer.js';

function lesson(name: string): GraphDocument {
  const loaded = loadDocument(readFileSync(new URL(`../../assets/lessons/${name}.netwright.json`, import.meta.url), 'utf8'));
  if (loaded.document === undefined) throw new Error(`${name}: ${loaded.diagnostics[0]?.message.en}`);
  return loaded.document;
}

const FASHION = existsSync(FASHION_MNIST_SYSTEM_DIR);
if (!FASHION) {
  console.warn(`SKIP Fashion-MNIST convergence: ${FASHION_MNIST_SYSTEM_DIR} is absent (install Debian's dataset-fashion-mnist).`);
}

describe('lesson convergence (CPU backend)', () => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await createWasmBackend();
  });
  afterAll(() => backend.dispose());

  /** Trains a lesson as shipped and returns its test accuracy, logging time and numbers. */
  async function testAccuracy(name: string): Promise<number> {
    const doc = lesson(name);
    const start = performance.now();
    const data = await loadDataset(doc.training.dataset, { seed: doc.training.seed });
    const trainer = new Trainer({ document: doc, train: data.train, backend });
    const result = await trainer.run();
    expect(result.status).toBe('completed');
    const test = await evaluate(trainer.model, doc, data.test!);
    trainer.dispose();
    const seconds = (performance.now() - start) / 1000;
    const last = result.records.at(-1)!;
    console.log(
      `${name}: test accuracy ${(test.accuracy! * 100).toFixed(2)}% (${test.samples} samples), validation ${(last.validation!.accuracy! * 100).toFixed(2)}%, ` +
        `${result.records.length} epochs, ${Math.round(result.samplesPerSecond)} samples/s, ${seconds.toFixed(1)} s`,
    );
    return test.accuracy!;
  }

  it('MNIST MLP (lesson 3): ≥ 95% test accuracy within 5 epochs', async () => {
    expect(lesson('mnist-mlp').training.epochs).toBeLessThanOrEqual(5);
    expect(await testAccuracy('mnist-mlp')).toBeGreaterThanOrEqual(0.95);
  }, 120_000);

  it('MNIST CNN (lesson 10): ≥ 97% test accuracy', async () => {
    expect(await testAccuracy('mnist-cnn')).toBeGreaterThanOrEqual(0.97);
  }, 180_000);

  it.skipIf(!FASHION)('Fashion-MNIST MLP: ≥ 87% test accuracy', async () => {
    expect(await testAccuracy('fashion-mlp')).toBeGreaterThanOrEqual(0.87);
  }, 180_000);

  it.skipIf(!FASHION)('Fashion-MNIST CNN: ≥ 90% test accuracy', async () => {
    expect(await testAccuracy('fashion-cnn')).toBeGreaterThanOrEqual(0.9);
  }, 300_000);
});
