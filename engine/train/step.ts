// One training step, the unit every trainer, benchmark and test repeats: forward with a tape,
// backward, optimizer update, read the loss, then end the step so the backend reclaims every
// intermediate (the per-step arena, DESIGN.md §4).

import { Tape } from '../autograd/tape.js';
import type { Tensor } from '../core/tensor.js';
import type { Model, ModelInputs } from './model.js';
import type { Optimizer } from './optimizers.js';

/**
 * Trains on one batch and returns its loss. `inputs` and `labels` must be persistent (or be
 * re-created each step): step storage does not survive the `endStep()` at the end. `fuse`:
 * ForwardOptions.fuse, on unless said (benchmarks compare both).
 */
export function trainStep(model: Model, optimizer: Optimizer, inputs: ModelInputs, labels: Tensor | undefined, step: number, fuse = true): number {
  const tape = new Tape();
  const { loss } = model.forward(inputs, labels, { training: true, tape, step, fuse });
  if (loss === null) throw new Error('the graph computed no loss: connect a loss node (and give labels)');
  optimizer.step(tape.backward(loss));
  const backend = loss.backend;
  if (!backend.readSync) throw new Error(`trainStep reads the loss synchronously; the ${backend.name} backend cannot`);
  const value = backend.readSync(loss.id)[0]!;
  backend.endStep();
  return value;
}

/**
 * trainStep for backends that read asynchronously (webgpu): the same step, then the loss read
 * with `await backend.read()`, which submits the step's queued kernels and waits for them.
 */
export async function trainStepAsync(model: Model, optimizer: Optimizer, inputs: ModelInputs, labels: Tensor | undefined, step: number): Promise<number> {
  const tape = new Tape();
  const { loss } = model.forward(inputs, labels, { training: true, tape, step, fuse: true });
  if (loss === null) throw new Error('the graph computed no loss: connect a loss node (and give labels)');
  optimizer.step(tape.backward(loss));
  const backend = loss.backend;
  const value = (await backend.read(loss.id))[0]!;
  backend.endStep();
  return value;
}
