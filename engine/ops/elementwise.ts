// Elementwise ops: the unary family (exp, log, relu, sigmoid, ...), the binary family with
// NumPy broadcasting (add, sub, mul, div, maximum, minimum, pow, comparisons), cast and
// broadcastTo — each with its gradient written once in terms of ops.
//
// Conventions at kinks (documented so tests can avoid them and users are not surprised):
// relu, step and leakyRelu treat x = 0 as the negative side (gradient 0, resp. alpha); abs uses
// sign(0) = 0; step and sign have gradient zero everywhere; clip passes the gradient where
// lo ≤ x ≤ hi (inclusive); maximum/minimum give a tie's gradient to the first operand.

import type { KernelAttrs, UnaryOp } from '../backends/backend.js';
import { broadcastShapes, sameShape, type Shape } from '../core/shape.js';
import { fill, type Tensor } from '../core/tensor.js';
import { needsGrad, recordOp, type OpDef } from '../autograd/tape.js';
import { assertFloat, elementaryMode, operands, output, type Operand } from './op.js';
import { reshape } from './shape.js';
import { sum } from './reduce.js';

type UnaryAttrs = KernelAttrs['Unary'];
type BinaryAttrs = KernelAttrs['Binary'];

// ---------------------------------------------------------------------------------------------
// Unary

function unary(def: OpDef<UnaryAttrs>, x: Tensor, attrs: UnaryAttrs): Tensor {
  assertFloat(def.name, x);
  const y = output(x.backend, x.shape);
  const inputs = [x];
  x.backend.run('Unary', inputs, [y], attrs);
  recordOp(def, inputs, y, attrs);
  return y;
}

/** An OpDef and the constant attrs of a parameterless unary op (no allocation per call). */
function simpleUnary(op: UnaryOp, gradient?: OpDef<UnaryAttrs>['gradient']): { def: OpDef<UnaryAttrs>; attrs: UnaryAttrs } {
  return { def: gradient === undefined ? { name: op } : { name: op, gradient }, attrs: { op } };
}

const NEG = simpleUnary('neg', (dy) => [neg(dy)]);
const ABS = simpleUnary('abs', (dy, op) => [mul(dy, sign(op.inputs[0]!))]);
/** sign is piecewise constant: its gradient is zero (null). */
const SIGN = simpleUnary('sign', () => [null]);
const SQUARE = simpleUnary('square', (dy, op) => [mul(dy, scale(op.inputs[0]!, 2))]);
// d√x = 1 / (2√x) = 1 / (2y).
const SQRT = simpleUnary('sqrt', (dy, op) => [div(dy, scale(op.output, 2))]);
// d x^(−1/2) = −½ x^(−3/2) = −½ y³.
const RSQRT = simpleUnary('rsqrt', (dy, op) => [mul(dy, scale(pow(op.output, 3), -0.5))]);
// d(1/x) = −1/x² = −y².
const RECIPROCAL = simpleUnary('reciprocal', (dy, op) => [mul(dy, neg(square(op.output)))]);
const EXP = simpleUnary('exp', (dy, op) => [mul(dy, op.output)]);
const LOG = simpleUnary('log', (dy, op) => [div(dy, op.inputs[0]!)]);
/** The Heaviside step is piecewise constant: its gradient is zero (null), by definition here. */
const STEP = simpleUnary('step', () => [null]);
// One kernel (Binary reluGrad: dy where x > 0, else 0) rather than mul(dy, step(x)).
const RELU = simpleUnary('relu', (dy, op) => [reluGrad(dy, op.inputs[0]!)]);
// σ' = σ(1 − σ).
const SIGMOID = simpleUnary('sigmoid', (dy, op) => [mul(dy, mul(op.output, scale(op.output, -1, 1)))]);
// tanh' = 1 − tanh².
const TANH = simpleUnary('tanh', (dy, op) => [mul(dy, scale(square(op.output), -1, 1))]);
// softplus' = σ.
const SOFTPLUS = simpleUnary('softplus', (dy, op) => [mul(dy, sigmoid(op.inputs[0]!))]);
// softsign' = 1 / (1 + |x|)².
const SOFTSIGN = simpleUnary('softsign', (dy, op) => [div(dy, square(scale(abs(op.inputs[0]!), 1, 1)))]);

const SCALE: OpDef<UnaryAttrs> = { name: 'scale', gradient: (dy, op) => [scale(dy, op.attrs.alpha ?? 1)] };

const POW_SCALAR: OpDef<UnaryAttrs> = {
  name: 'pow',
  gradient: (dy, op) => {
    const p = op.attrs.alpha!;
    // d x^p = p·x^(p−1). p = 0 is constant; skipping it also avoids 0·x^(−1) = NaN at x = 0.
    if (p === 0) return [null];
    return [mul(dy, scale(pow(op.inputs[0]!, p - 1), p))];
  },
};

// The gradient passes where clip left x unchanged, i.e. lo ≤ x ≤ hi: exactly where y == x.
const CLIP: OpDef<UnaryAttrs> = { name: 'clip', gradient: (dy, op) => [mul(dy, equal(op.output, op.inputs[0]!))] };

// 1 where x > 0, alpha elsewhere: step(x)·(1 − alpha) + alpha.
const LEAKY_RELU: OpDef<UnaryAttrs> = {
  name: 'leakyRelu',
  gradient: (dy, op) => {
    const alpha = op.attrs.alpha!;
    return [mul(dy, scale(step(op.inputs[0]!), 1 - alpha, alpha))];
  },
};

// 1 where x > 0, alpha·e^x = y + alpha elsewhere: s + (1 − s)(y + alpha) with s = step(x).
const ELU: OpDef<UnaryAttrs> = {
  name: 'elu',
  gradient: (dy, op) => {
    const s = step(op.inputs[0]!);
    const negativeSide = mul(scale(s, -1, 1), scale(op.output, 1, op.attrs.alpha!));
    return [mul(dy, add(s, negativeSide))];
  },
};

export function neg(x: Tensor): Tensor {
  return unary(NEG.def, x, NEG.attrs);
}
export function abs(x: Tensor): Tensor {
  return unary(ABS.def, x, ABS.attrs);
}
/** −1, 0 or 1. Gradient zero. */
export function sign(x: Tensor): Tensor {
  return unary(SIGN.def, x, SIGN.attrs);
}
export function square(x: Tensor): Tensor {
  return unary(SQUARE.def, x, SQUARE.attrs);
}
export function sqrt(x: Tensor): Tensor {
  return unary(SQRT.def, x, SQRT.attrs);
}
/** 1 / √x. */
export function rsqrt(x: Tensor): Tensor {
  return unary(RSQRT.def, x, RSQRT.attrs);
}
/** 1 / x. */
export function reciprocal(x: Tensor): Tensor {
  return unary(RECIPROCAL.def, x, RECIPROCAL.attrs);
}
export function exp(x: Tensor): Tensor {
  return unary(EXP.def, x, EXP.attrs);
}
/** Natural logarithm. */
export function log(x: Tensor): Tensor {
  return unary(LOG.def, x, LOG.attrs);
}
/** Heaviside step: 1 where x > 0, else 0. Its gradient is zero everywhere (by definition here). */
export function step(x: Tensor): Tensor {
  return unary(STEP.def, x, STEP.attrs);
}
/** max(x, 0); the gradient at exactly 0 is 0. */
export function relu(x: Tensor): Tensor {
  return unary(RELU.def, x, RELU.attrs);
}
/** min(max(x, 0), 6), as clip. */
export function relu6(x: Tensor): Tensor {
  return clip(x, 0, 6);
}
/** 1 / (1 + e^−x); in elementary mode recorded as neg → exp → +1 → reciprocal. */
export function sigmoid(x: Tensor): Tensor {
  if (elementaryMode()) return reciprocal(scale(exp(neg(x)), 1, 1));
  return unary(SIGMOID.def, x, SIGMOID.attrs);
}
/** In elementary mode recorded as (e^2x − 1) / (e^2x + 1). */
export function tanh(x: Tensor): Tensor {
  if (elementaryMode()) {
    const e = exp(scale(x, 2));
    return div(scale(e, 1, -1), scale(e, 1, 1));
  }
  return unary(TANH.def, x, TANH.attrs);
}
/** log(1 + e^x), computed stably; in elementary mode recorded as exp → +1 → log. */
export function softplus(x: Tensor): Tensor {
  if (elementaryMode()) return log(scale(exp(x), 1, 1));
  return unary(SOFTPLUS.def, x, SOFTPLUS.attrs);
}
/** x / (1 + |x|). */
export function softsign(x: Tensor): Tensor {
  return unary(SOFTSIGN.def, x, SOFTSIGN.attrs);
}
/** alpha·x + beta in one kernel (also how constants are added or multiplied in gradients). */
export function scale(x: Tensor, alpha: number, beta = 0): Tensor {
  return unary(SCALE, x, { op: 'scale', alpha, beta });
}
/** min(max(x, lo), hi). */
export function clip(x: Tensor, lo: number, hi: number): Tensor {
  if (!(lo <= hi)) throw new Error(`clip: lo ${lo} must not exceed hi ${hi}`);
  return unary(CLIP, x, { op: 'clip', alpha: lo, beta: hi });
}
/** x where x > 0, alpha·x elsewhere. */
export function leakyRelu(x: Tensor, alpha = 0.2): Tensor {
  return unary(LEAKY_RELU, x, { op: 'leakyRelu', alpha });
}
/** x where x > 0, alpha·(e^x − 1) elsewhere. */
export function elu(x: Tensor, alpha = 1): Tensor {
  return unary(ELU, x, { op: 'elu', alpha });
}

// ---------------------------------------------------------------------------------------------
// Binary, with NumPy broadcasting. A gradient is computed in the broadcast shape, then summed
// back to its operand's shape by `sumTo`.

function binary(def: OpDef<BinaryAttrs>, a: Operand, b: Operand, attrs: BinaryAttrs): Tensor {
  const [ta, tb] = operands(def.name, a, b);
  if (def.gradient === undefined) {
    if (ta.dtype !== tb.dtype) throw new Error(`${def.name}: cannot compare ${ta.dtype} with ${tb.dtype}`);
  } else {
    assertFloat(def.name, ta);
    assertFloat(def.name, tb);
  }
  const y = output(ta.backend, broadcastShapes(ta.shape, tb.shape, def.name), 'float32');
  const inputs = [ta, tb];
  ta.backend.run('Binary', inputs, [y], attrs);
  recordOp(def, inputs, y, attrs);
  return y;
}

/**
 * Sums `t` over the axes along which `shape` was broadcast to `t.shape`, giving `shape`: the
 * adjoint of broadcasting, used by every binary gradient.
 */
export function sumTo(t: Tensor, shape: Shape): Tensor {
  if (sameShape(t.shape, shape)) return t;
  const lead = t.shape.length - shape.length;
  const axes: number[] = [];
  for (let k = 0; k < t.shape.length; k++) {
    if (k < lead || (shape[k - lead] === 1 && t.shape[k] !== 1)) axes.push(k);
  }
  return reshape(sum(t, axes, true), shape);
}

const ADD: OpDef<BinaryAttrs> = {
  name: 'add',
  gradient: (dy, op) => [
    needsGrad(op, 0) ? sumTo(dy, op.inputs[0]!.shape) : null,
    needsGrad(op, 1) ? sumTo(dy, op.inputs[1]!.shape) : null,
  ],
};
const SUB: OpDef<BinaryAttrs> = {
  name: 'sub',
  gradient: (dy, op) => [
    needsGrad(op, 0) ? sumTo(dy, op.inputs[0]!.shape) : null,
    needsGrad(op, 1) ? sumTo(neg(dy), op.inputs[1]!.shape) : null,
  ],
};
const MUL: OpDef<BinaryAttrs> = {
  name: 'mul',
  gradient: (dy, op) => {
    const [a, b] = op.inputs as [Tensor, Tensor];
    return [needsGrad(op, 0) ? sumTo(mul(dy, b), a.shape) : null, needsGrad(op, 1) ? sumTo(mul(dy, a), b.shape) : null];
  },
};
// d(a/b)/db = −a/b² = −y/b.
const DIV: OpDef<BinaryAttrs> = {
  name: 'div',
  gradient: (dy, op) => {
    const [a, b] = op.inputs as [Tensor, Tensor];
    return [
      needsGrad(op, 0) ? sumTo(div(dy, b), a.shape) : null,
      needsGrad(op, 1) ? sumTo(neg(mul(dy, div(op.output, b))), b.shape) : null,
    ];
  },
};
// Ties (a == b) give the whole gradient to a, as tfjs does.
const MAXIMUM: OpDef<BinaryAttrs> = {
  name: 'maximum',
  gradient: (dy, op) => {
    const [a, b] = op.inputs as [Tensor, Tensor];
    const aWins = greaterEqual(a, b);
    return [
      needsGrad(op, 0) ? sumTo(mul(dy, aWins), a.shape) : null,
      needsGrad(op, 1) ? sumTo(mul(dy, scale(aWins, -1, 1)), b.shape) : null,
    ];
  },
};
const MINIMUM: OpDef<BinaryAttrs> = {
  name: 'minimum',
  gradient: (dy, op) => {
    const [a, b] = op.inputs as [Tensor, Tensor];
    const aWins = greaterEqual(b, a);
    return [
      needsGrad(op, 0) ? sumTo(mul(dy, aWins), a.shape) : null,
      needsGrad(op, 1) ? sumTo(mul(dy, scale(aWins, -1, 1)), b.shape) : null,
    ];
  },
};
// d a^b / da = b·a^(b−1); d a^b / db = a^b·ln a, taken as 0 where a ≤ 0 (where ln a is undefined).
const POW: OpDef<BinaryAttrs> = {
  name: 'pow',
  gradient: (dy, op) => {
    const [a, b] = op.inputs as [Tensor, Tensor];
    let da: Tensor | null = null;
    let db: Tensor | null = null;
    if (needsGrad(op, 0)) da = sumTo(mul(dy, mul(b, pow(a, scale(b, 1, -1)))), a.shape);
    if (needsGrad(op, 1)) {
      const positive = greater(a, 0);
      const safeA = add(mul(a, positive), scale(positive, -1, 1)); // a where a > 0, else 1 (ln 1 = 0)
      db = sumTo(mul(dy, mul(op.output, log(safeA))), b.shape);
    }
    return [da, db];
  },
};

const ATTRS = {
  add: { op: 'add' },
  sub: { op: 'sub' },
  mul: { op: 'mul' },
  div: { op: 'div' },
  max: { op: 'max' },
  min: { op: 'min' },
  pow: { op: 'pow' },
  greater: { op: 'greater' },
  greaterEqual: { op: 'greaterEqual' },
  equal: { op: 'equal' },
  reluGrad: { op: 'reluGrad' },
} as const satisfies Record<string, BinaryAttrs>;

// Comparisons give 1 or 0 as float32 and pass no gradient.
const GREATER: OpDef<BinaryAttrs> = { name: 'greater' };
const GREATER_EQUAL: OpDef<BinaryAttrs> = { name: 'greaterEqual' };
const EQUAL: OpDef<BinaryAttrs> = { name: 'equal' };
const LESS: OpDef<BinaryAttrs> = { name: 'less' };
const LESS_EQUAL: OpDef<BinaryAttrs> = { name: 'lessEqual' };

export function add(a: Operand, b: Operand): Tensor {
  return binary(ADD, a, b, ATTRS.add);
}
export function sub(a: Operand, b: Operand): Tensor {
  return binary(SUB, a, b, ATTRS.sub);
}
export function mul(a: Operand, b: Operand): Tensor {
  return binary(MUL, a, b, ATTRS.mul);
}
export function div(a: Operand, b: Operand): Tensor {
  return binary(DIV, a, b, ATTRS.div);
}
/** Elementwise max; a tie's gradient goes to `a`. */
export function maximum(a: Operand, b: Operand): Tensor {
  return binary(MAXIMUM, a, b, ATTRS.max);
}
/** Elementwise min; a tie's gradient goes to `a`. */
export function minimum(a: Operand, b: Operand): Tensor {
  return binary(MINIMUM, a, b, ATTRS.min);
}
/**
 * a^b. A number exponent runs the one-input kernel (x^p); a tensor exponent the broadcasting
 * one, whose gradient with respect to the exponent is defined for a > 0 (0 elsewhere).
 */
export function pow(a: Operand, b: Operand): Tensor {
  if (typeof b === 'number' && typeof a !== 'number') return unary(POW_SCALAR, a, { op: 'pow', alpha: b });
  return binary(POW, a, b, ATTRS.pow);
}
/** 1 where a > b, else 0 (float32). No gradient. */
export function greater(a: Operand, b: Operand): Tensor {
  return binary(GREATER, a, b, ATTRS.greater);
}
/** 1 where a ≥ b, else 0 (float32). No gradient. */
export function greaterEqual(a: Operand, b: Operand): Tensor {
  return binary(GREATER_EQUAL, a, b, ATTRS.greaterEqual);
}
/** 1 where a < b, else 0 (float32): greater with the operands swapped. No gradient. */
export function less(a: Operand, b: Operand): Tensor {
  return binary(LESS, b, a, ATTRS.greater);
}
/** 1 where a ≤ b, else 0 (float32). No gradient. */
export function lessEqual(a: Operand, b: Operand): Tensor {
  return binary(LESS_EQUAL, b, a, ATTRS.greaterEqual);
}
/** 1 where a == b, else 0 (float32); works on int32 too (accuracy: equal(argMax(y), labels)). No gradient. */
export function equal(a: Operand, b: Operand): Tensor {
  return binary(EQUAL, a, b, ATTRS.equal);
}

// The gradient flows to dy through the same mask; x's gradient is zero (piecewise constant).
const RELU_GRAD: OpDef<BinaryAttrs> = {
  name: 'reluGrad',
  gradient: (g, op) => {
    const [dy, x] = op.inputs as [Tensor, Tensor];
    return [needsGrad(op, 0) ? sumTo(reluGrad(g, x), dy.shape) : null, null];
  },
};

/** dy where x > 0, else 0: ReLU's backward (x = 0 counts as the negative side). */
export function reluGrad(dy: Operand, x: Operand): Tensor {
  return binary(RELU_GRAD, dy, x, ATTRS.reluGrad);
}

// ---------------------------------------------------------------------------------------------
// Cast and broadcastTo

const CAST: OpDef<KernelAttrs['Cast']> = {
  name: 'cast',
  // Reached only float32 → float32 (int tensors never require grad): the identity.
  gradient: (dy) => [dy],
};
const NO_ATTRS: Record<string, never> = {};

/** Converts the dtype; float → int32 truncates toward zero. */
export function cast(x: Tensor, dtype: Tensor['dtype']): Tensor {
  const y = output(x.backend, x.shape, dtype);
  const inputs = [x];
  x.backend.run('Cast', inputs, [y], NO_ATTRS);
  recordOp(CAST, inputs, y, NO_ATTRS);
  return y;
}

interface BroadcastAttrs {
  readonly shape: Shape;
}
const BROADCAST_TO: OpDef<BroadcastAttrs> = { name: 'broadcastTo', gradient: (dy, op) => [sumTo(dy, op.inputs[0]!.shape)] };
const MUL_ATTRS: BinaryAttrs = ATTRS.mul;

/** Repeats `x` along broadcast axes to `shape` (computed as x · ones(shape), which is exact). */
export function broadcastTo(x: Tensor, shape: Shape): Tensor {
  assertFloat('broadcastTo', x);
  const target = broadcastShapes(x.shape, shape, 'broadcastTo');
  if (!sameShape(target, shape)) throw new Error(`broadcastTo: [${x.shape.join(',')}] does not broadcast to [${shape.join(',')}]`);
  if (sameShape(x.shape, shape)) return x;
  const ones = fill(x.backend, shape, 1);
  const y = output(x.backend, shape);
  x.backend.run('Binary', [x, ones], [y], MUL_ATTRS);
  const attrs: BroadcastAttrs = { shape };
  recordOp(BROADCAST_TO, [x], y, attrs);
  return y;
}
