// The Tensor handle and the helpers that create tensors and move them between lifetimes.
// A Tensor is a shape and dtype around a backend's storage (DataId); it never holds values
// itself, so the same code runs on every backend (DESIGN.md §4).
//
// Lifetimes: everything an op produces is `step` storage, reclaimed wholesale by
// `backend.endStep()` (a per-step arena, so 10,000 steps do not grow memory). Parameters,
// optimizer state and datasets are `persistent`; they are made with `lifetime: 'persistent'`,
// `variable()` or `persist()`, updated in place with `assign()`, and released with `dispose()`.

import type { Backend, DataId, DType, Lifetime, TensorInfo, Values } from '../backends/backend.js';
import { formatShape, sizeOf, type Shape } from './shape.js';

export class Tensor implements TensorInfo {
  readonly backend: Backend;
  readonly id: DataId;
  readonly shape: Shape;
  readonly dtype: DType;
  readonly lifetime: Lifetime;
  readonly size: number;
  /**
   * True for trainable parameters (set by `variable()` or by hand) and, while a tape records,
   * for every op output that depends on one. Backward computes gradients only along such paths.
   */
  requiresGrad = false;

  constructor(backend: Backend, id: DataId, shape: Shape, dtype: DType, lifetime: Lifetime) {
    this.backend = backend;
    this.id = id;
    this.shape = shape;
    this.dtype = dtype;
    this.lifetime = lifetime;
    this.size = sizeOf(shape);
  }

  get rank(): number {
    return this.shape.length;
  }

  /** A copy of the values (float32 tensors come back as Float64Array from `reference`). */
  read(): Promise<Values> {
    return this.backend.read(this.id);
  }

  /** Synchronous read, on backends that can (reference, wasm). */
  readSync(): Values {
    const { backend } = this;
    if (backend.readSync === undefined) {
      throw new Error(`the ${backend.name} backend cannot read synchronously; use await tensor.read()`);
    }
    return backend.readSync(this.id);
  }

  /**
   * Releases persistent storage. Step tensors are reclaimed by `endStep()`, so this is a no-op
   * for them. A `reshape` of a persistent tensor shares its storage: dispose only one of them.
   */
  dispose(): void {
    if (this.lifetime === 'persistent') this.backend.free(this.id);
  }

  toString(): string {
    return `Tensor(${this.dtype}${formatShape(this.shape)}, ${this.lifetime} #${this.id})`;
  }
}

// ---------------------------------------------------------------------------------------------
// Creation. Every helper takes the backend explicitly: there is no hidden "current backend".

/** Allocates storage without initialising it; op front-ends fill it with a kernel. */
export function empty(backend: Backend, shape: Shape, dtype: DType = 'float32', lifetime: Lifetime = 'step'): Tensor {
  const id = backend.alloc(dtype, sizeOf(shape), lifetime);
  return new Tensor(backend, id, shape, dtype, lifetime);
}

export function fill(backend: Backend, shape: Shape, value: number, dtype: DType = 'float32', lifetime: Lifetime = 'step'): Tensor {
  const t = empty(backend, shape.slice(), dtype, lifetime);
  backend.run('Fill', [], [t], { value });
  return t;
}

export function zeros(backend: Backend, shape: Shape, dtype: DType = 'float32', lifetime: Lifetime = 'step'): Tensor {
  return fill(backend, shape, 0, dtype, lifetime);
}

export function ones(backend: Backend, shape: Shape, dtype: DType = 'float32', lifetime: Lifetime = 'step'): Tensor {
  return fill(backend, shape, 1, dtype, lifetime);
}

/** A rank-0 tensor. */
export function scalar(backend: Backend, value: number, dtype: DType = 'float32', lifetime: Lifetime = 'step'): Tensor {
  return fill(backend, [], value, dtype, lifetime);
}

export function zerosLike(t: Tensor): Tensor {
  return fill(t.backend, t.shape, 0, t.dtype);
}

/** A tensor holding `values` (row-major); their count must match the shape. */
export function fromValues(
  backend: Backend,
  shape: Shape,
  values: ArrayLike<number>,
  dtype: DType = 'float32',
  lifetime: Lifetime = 'step',
): Tensor {
  const size = sizeOf(shape);
  if (values.length !== size) {
    throw new Error(`fromValues: ${values.length} values do not fill the shape ${formatShape(shape)} (${size} elements)`);
  }
  const t = empty(backend, shape.slice(), dtype, lifetime);
  backend.write(t.id, values);
  return t;
}

/** A trainable parameter: persistent float32 storage with `requiresGrad` set. */
export function variable(backend: Backend, shape: Shape, values: ArrayLike<number>): Tensor {
  const t = fromValues(backend, shape, values, 'float32', 'persistent');
  t.requiresGrad = true;
  return t;
}

// ---------------------------------------------------------------------------------------------
// Moving values between lifetimes. Both use the Copy kernel, so values never visit the host.

/**
 * A persistent copy of `t` (a step result to keep past `endStep()`, e.g. a metric or a
 * checkpointed activation). The caller owns it and must `dispose()` it.
 */
export function persist(t: Tensor): Tensor {
  const out = empty(t.backend, t.shape, t.dtype, 'persistent');
  t.backend.run('Copy', [t], [out], COPY_ATTRS);
  return out;
}

/**
 * Writes `value` into `target`'s storage (an optimizer update: `assign(w, sub(w, step))`).
 * Shapes must hold the same number of elements and dtypes must match. Not recorded on a tape:
 * updates happen after backward, outside differentiation.
 */
export function assign(target: Tensor, value: Tensor): void {
  if (target.backend !== value.backend) throw new Error('assign: the tensors live on different backends');
  if (target.dtype !== value.dtype || target.size !== value.size) {
    throw new Error(
      `assign: cannot write ${value.dtype}${formatShape(value.shape)} into ${target.dtype}${formatShape(target.shape)}`,
    );
  }
  target.backend.run('Copy', [value], [target], COPY_ATTRS);
}

const COPY_ATTRS: Record<string, never> = {};
