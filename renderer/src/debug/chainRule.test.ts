// The chain-rule view's arithmetic on op views shaped as the engine sends them (debug.expand):
// an elementary sigmoid (neg → exp → +1 → 1/x) and a Dense node (matMul, add).
import { describe, expect, it } from 'vitest';
import { toWireTensor } from '../../../engine/protocol/index.js';
import { chainRuleOf } from './chainRule';
import type { OpView } from './debugStore';

type Tensor = OpView['ops'][number]['output'];

function tensor(shape: number[], value: number[] | null, grad: number[] | null, producer: Tensor['producer'], extra: Partial<Tensor> = {}): Tensor {
  return {
    shape,
    dtype: 'float32',
    producer,
    value: value === null ? null : toWireTensor(Float32Array.from(value), shape),
    valueStats: null,
    grad: grad === null ? null : toWireTensor(Float32Array.from(grad), shape),
    gradStats: null,
    ...extra,
  };
}

const wire = (values: number[], shape: number[]) => toWireTensor(Float32Array.from(values), shape);

/** σ over a batch of two scalars, as the engine records it in elementary mode, with dL/dy = g. */
function sigmoidView(x: number[], g: number[]): OpView {
  const shape = [2, 1];
  const e = x.map((v) => Math.exp(-v));
  const u = e.map((v) => 1 + v);
  const y = u.map((v) => 1 / v);
  const du = g.map((gi, i) => (gi * -1) / (u[i]! * u[i]!));
  const dx = du.map((d, i) => -d * e[i]!);
  const from = (op: number) => ({ op, nodeId: 'sig' });
  const ones = [1, 1];
  return {
    nodeId: 'sig',
    ops: [
      { index: 10, name: 'neg', attrs: {}, inputs: [tensor(shape, x, dx, { op: 5, nodeId: 'fc' }, { local: wire([-1, -1], shape) })], output: tensor(shape, x.map((v) => -v), dx.map((d) => -d), from(10)) },
      { index: 11, name: 'exp', attrs: {}, inputs: [tensor(shape, x.map((v) => -v), dx.map((d) => -d), from(10), { local: wire(e, shape) })], output: tensor(shape, e, du, from(11)) },
      { index: 12, name: 'scale', attrs: { alpha: 1, beta: 1 }, inputs: [tensor(shape, e, du, from(11), { local: wire(ones, shape) })], output: tensor(shape, u, du, from(12)) },
      { index: 13, name: 'reciprocal', attrs: {}, inputs: [tensor(shape, u, du, from(12), { local: wire(u.map((v) => -1 / (v * v)), shape) })], output: tensor(shape, y, g, from(13)) },
    ],
  };
}

describe('the chain rule with numbers', () => {
  it('multiplies the local derivatives along an elementwise chain: σ′(x) = σ(x)(1 − σ(x))', () => {
    const x = [0.3, -1.2];
    const g = [0.5, -2];
    const chain = chainRuleOf(sigmoidView(x, g), 1, 0);
    expect(chain?.kind).toBe('elementwise');
    if (chain?.kind !== 'elementwise') return;
    const s = 1 / (1 + Math.exp(1.2));
    expect(chain.upstream).toBeCloseTo(-2, 6);
    expect(chain.local).toBeCloseTo(s * (1 - s), 6);
    expect(chain.upstream * chain.local).toBeCloseTo(chain.downstream, 6);
    expect(chain.factors?.map((f) => f.op.name)).toEqual(['neg', 'exp', 'scale', 'reciprocal']);
  });

  it('writes a Dense input gradient as Σₖ ∂L/∂y[k]·W[j,k]', () => {
    // x [1, 2], W [2, 3], y = xW + b; dL/dy = [1, 2, 3] → dL/dx[1] = 1·W[1,0] + 2·W[1,1] + 3·W[1,2].
    const w = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
    const g = [1, 2, 3];
    const dx = [0.1 + 0.4 + 0.9, 0.4 + 1 + 1.8];
    const view: OpView = {
      nodeId: 'fc',
      ops: [
        { index: 1, name: 'matMul', attrs: {}, inputs: [tensor([1, 2], [1, 1], dx, { op: 0, nodeId: 'x' }), tensor([2, 3], w, null, null, { param: 'weight' })], output: tensor([1, 3], [0, 0, 0], g, { op: 1, nodeId: 'fc' }) },
        { index: 2, name: 'add', attrs: {}, inputs: [tensor([1, 3], [0, 0, 0], g, { op: 1, nodeId: 'fc' }), tensor([3], [0, 0, 0], g, null, { param: 'bias' })], output: tensor([1, 3], [0, 0, 0], g, { op: 2, nodeId: 'fc' }) },
      ],
    };
    const chain = chainRuleOf(view, 0, 1);
    expect(chain?.kind).toBe('dense');
    if (chain?.kind !== 'dense') return;
    expect(chain.terms.map((t) => [t.grad, t.weight].map((v) => Number(v.toFixed(6))))).toEqual([
      [1, 0.4],
      [2, 0.5],
      [3, 0.6],
    ]);
    expect(chain.sum).toBeCloseTo(dx[1]!, 5);
    expect(chain.downstream).toBeCloseTo(dx[1]!, 5);
  });

  it('has no formula when the numbers are missing (a big tensor sends statistics only)', () => {
    const view = sigmoidView([0.3, -1.2], [0.5, -2]);
    const ops = view.ops.map((op) => ({ ...op, output: { ...op.output, grad: null } }));
    expect(chainRuleOf({ ...view, ops }, 0, 0)).toBeNull();
  });
});
