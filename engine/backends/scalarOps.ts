// The scalar definition of every Unary and Binary op of the kernel contract, in plain float64
// arithmetic. The reference backend is built on them, and faster backends use them where they
// have no vector kernel (int32 tensors, say), so every backend agrees on what an op means.

import type { BinaryOp, UnaryOp } from './backend.js';

function required(value: number | undefined, op: UnaryOp, name: string): number {
  if (value === undefined) throw new Error(`Unary ${op} needs ${name}`);
  return value;
}

/** The scalar function of each unary op, in float64. */
export function scalarUnary(op: UnaryOp, alpha?: number, beta?: number): (x: number) => number {
  switch (op) {
    case 'neg':
      return (x) => -x;
    case 'abs':
      return Math.abs;
    case 'sign':
      return Math.sign;
    case 'square':
      return (x) => x * x;
    case 'sqrt':
      return Math.sqrt;
    case 'rsqrt':
      return (x) => 1 / Math.sqrt(x);
    case 'reciprocal':
      return (x) => 1 / x;
    case 'exp':
      return Math.exp;
    case 'log':
      return Math.log;
    case 'step':
      return (x) => (x > 0 ? 1 : 0);
    case 'relu':
      // Math.max, not `x > 0 ? x : 0`: a NaN must propagate so training can stop on it.
      return (x) => Math.max(x, 0);
    case 'sigmoid':
      // Two branches so exp never overflows.
      return (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
    case 'tanh':
      return Math.tanh;
    case 'softplus':
      // log(1 + e^x) = max(x, 0) + log1p(e^−|x|), exact for large |x|.
      return (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    case 'softsign':
      return (x) => x / (1 + Math.abs(x));
    case 'scale': {
      const a = alpha ?? 1;
      const b = beta ?? 0;
      return (x) => a * x + b;
    }
    case 'pow': {
      const p = required(alpha, op, 'alpha (the exponent)');
      return (x) => Math.pow(x, p);
    }
    case 'clip': {
      const lo = alpha ?? -Infinity;
      const hi = beta ?? Infinity;
      return (x) => Math.min(Math.max(x, lo), hi);
    }
    case 'leakyRelu': {
      const a = required(alpha, op, 'alpha (the negative slope)');
      return (x) => (x > 0 ? x : a * x);
    }
    case 'elu': {
      const a = required(alpha, op, 'alpha');
      return (x) => (x > 0 ? x : a * Math.expm1(x));
    }
  }
}

export function scalarBinary(op: BinaryOp): (a: number, b: number) => number {
  switch (op) {
    case 'add':
      return (a, b) => a + b;
    case 'sub':
      return (a, b) => a - b;
    case 'mul':
      return (a, b) => a * b;
    case 'div':
      return (a, b) => a / b;
    case 'max':
      return Math.max;
    case 'min':
      return Math.min;
    case 'pow':
      return Math.pow;
    case 'greater':
      return (a, b) => (a > b ? 1 : 0);
    case 'greaterEqual':
      return (a, b) => (a >= b ? 1 : 0);
    case 'equal':
      return (a, b) => (a === b ? 1 : 0);
    case 'reluGrad':
      return (a, b) => (b > 0 ? a : 0);
  }
}
