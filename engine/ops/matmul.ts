// Matrix product of two 2-D tensors with optional transposed operands. The gradient is two more
// matrix products, choosing transposes so no explicit transpose is ever materialised.

import type { KernelAttrs } from '../backends/backend.js';
import { formatShape } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { needsGrad, recordOp, type OpDef } from '../autograd/tape.js';
import { assertFloat, output, sameBackend } from './op.js';

type MatMulAttrs = KernelAttrs['MatMul'];

export interface MatMulOptions {
  /** Use aᵀ (a is K×M). */
  readonly transA?: boolean;
  /** Use bᵀ (b is N×K). */
  readonly transB?: boolean;
}

// For y = op(a)·op(b), with op the optional transpose:
//   y = a·b    : da = dy·bᵀ     db = aᵀ·dy
//   y = a·bᵀ   : da = dy·b      db = dyᵀ·a
//   y = aᵀ·b   : da = b·dyᵀ     db = a·dy
//   y = aᵀ·bᵀ  : da = bᵀ·dyᵀ    db = dyᵀ·aᵀ
const MATMUL: OpDef<MatMulAttrs> = {
  name: 'matMul',
  gradient: (dy, op) => {
    const [a, b] = op.inputs as [Tensor, Tensor];
    const { transA, transB } = op.attrs;
    let da: Tensor | null = null;
    let db: Tensor | null = null;
    if (needsGrad(op, 0)) {
      da = transA ? matMul(b, dy, { transA: transB, transB: true }) : matMul(dy, b, { transB: !transB });
    }
    if (needsGrad(op, 1)) {
      db = transB ? matMul(dy, a, { transA: true, transB: transA }) : matMul(a, dy, { transA: !transA });
    }
    return [da, db];
  },
};

const ATTRS: Record<'nn' | 'nt' | 'tn' | 'tt', MatMulAttrs> = {
  nn: { transA: false, transB: false },
  nt: { transA: false, transB: true },
  tn: { transA: true, transB: false },
  tt: { transA: true, transB: true },
};

/** op(a)·op(b) for 2-D a and b, where op transposes when `transA` / `transB` is set. */
export function matMul(a: Tensor, b: Tensor, options: MatMulOptions = {}): Tensor {
  assertFloat('matMul', a);
  assertFloat('matMul', b);
  sameBackend('matMul', a, b);
  if (a.rank !== 2 || b.rank !== 2) {
    throw new Error(`matMul: expects 2-D operands, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  const transA = options.transA ?? false;
  const transB = options.transB ?? false;
  const m = a.shape[transA ? 1 : 0]!;
  const k = a.shape[transA ? 0 : 1]!;
  const kb = b.shape[transB ? 1 : 0]!;
  const n = b.shape[transB ? 0 : 1]!;
  if (k !== kb) {
    throw new Error(
      `matMul: inner dimensions differ: ${formatShape(a.shape)}${transA ? 'ᵀ' : ''} · ${formatShape(b.shape)}${transB ? 'ᵀ' : ''} (${k} vs ${kb})`,
    );
  }
  const y = output(a.backend, [m, n]);
  const attrs = ATTRS[transA ? (transB ? 'tt' : 'tn') : transB ? 'nt' : 'nn'];
  const inputs = [a, b];
  a.backend.run('MatMul', inputs, [y], attrs);
  recordOp(MATMUL, inputs, y, attrs);
  return y;
}
