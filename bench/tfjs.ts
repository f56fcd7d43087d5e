// The peer we measure the MLP workload against: TensorFlow.js with its WebAssembly backend
// (@tensorflow/tfjs-backend-wasm ships its .wasm inside the npm package, so this works
// offline). Same model, loss, optimizer and batch as bench/mlp.bench.ts.

import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let ready: Promise<void> | undefined;

/** Switches tfjs to its wasm backend once (SIMD; tfjs does not use threads in Node). */
export function tfjsWasm(): Promise<void> {
  ready ??= (async () => {
    const pkg = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json');
    setWasmPaths(`${join(dirname(pkg), 'dist')}/`);
    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs: the wasm backend did not start');
    await tf.ready();
  })();
  return ready;
}

/** A warmed-up tfjs training loop whose steps can be timed in several rounds. */
export interface TfjsSession {
  /** Milliseconds per step, one mean per run of `stepsPerRun` steps. */
  measure(runs: number, stepsPerRun: number): Promise<number[]>;
  dispose(): void;
}

/**
 * A dense ReLU network (sizes like [784, 256, 128, 10]) with softmax cross-entropy and Adam
 * on one fixed random batch, after `warmup` untimed steps.
 */
export async function tfjsMlpSession(sizes: readonly number[], batch: number, warmup: number): Promise<TfjsSession> {
  await tfjsWasm();
  const x = tf.randomNormal([batch, sizes[0]!], 0, 1, 'float32', 1);
  const labels = tf.randomUniform([batch], 0, sizes.at(-1)!, 'int32', 2);
  const y = tf.oneHot(labels as tf.Tensor1D, sizes.at(-1)!);
  const model = tf.sequential();
  for (let i = 1; i < sizes.length; i++) {
    const last = i === sizes.length - 1;
    model.add(
      tf.layers.dense({ units: sizes[i]!, activation: last ? 'linear' : 'relu', ...(i === 1 ? { inputShape: [sizes[0]!] } : {}) }),
    );
  }
  const optimizer = tf.train.adam(1e-3);
  const step = async () => {
    const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.predict(x) as tf.Tensor) as tf.Scalar, true);
    await loss!.data(); // wait for the step, as a trainer reading its loss would
    loss!.dispose();
  };
  for (let i = 0; i < warmup; i++) await step();
  return {
    async measure(runs, stepsPerRun) {
      const times: number[] = [];
      for (let r = 0; r < runs; r++) {
        const start = performance.now();
        for (let i = 0; i < stepsPerRun; i++) await step();
        times.push((performance.now() - start) / stepsPerRun);
      }
      return times;
    },
    dispose() {
      tf.dispose([x, labels, y]);
      optimizer.dispose();
      model.dispose();
    },
  };
}
