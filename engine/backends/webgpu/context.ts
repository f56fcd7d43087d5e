// What a WebGPU host kernel sees: a way to encode one dispatch of a program over tensors, and
// a buffer-to-buffer copy. The backend behind it owns buffers, pipelines and the batch.

import type { KernelAttrs, KernelName, TensorInfo } from '../backend.js';
import type { Params, Program } from './program.js';

export interface GpuContext {
  /**
   * Encodes one dispatch of `workgroups` workgroups (laid out by grid()). `inputs` are bound
   * read-only as in0.., `outputs` read-write as out0... Nothing runs until the batch is submitted.
   */
  dispatch(program: Program, inputs: readonly TensorInfo[], outputs: readonly TensorInfo[], params: Params, workgroups: number): void;
  /** Copies `elements` 32-bit words from the start of `src` to the start of `dst`. */
  copy(src: TensorInfo, dst: TensorInfo, elements: number): void;
  /** Whether MatMul uses the shared-memory tiled kernel (GPUs) or the direct one (SwiftShader). */
  readonly tiledMatMul: boolean;
}

/** One contract kernel's host side: checks shapes, picks a program, dispatches. */
export type GpuKernel<K extends KernelName> = (ctx: GpuContext, inputs: readonly TensorInfo[], outputs: readonly TensorInfo[], attrs: KernelAttrs[K]) => void;

export function fail(message: string): never {
  throw new Error(`webgpu backend: ${message}`);
}

export function check(condition: boolean, message: string): asserts condition {
  if (!condition) fail(message);
}
