// The chain rule with its numbers, for one element of one sample at a node that has run
// backward: upstream gradient × local derivative = downstream gradient. Pure functions over the
// engine's op view (debug.expand), so they are unit-tested without a canvas.
//
// - Elementwise nodes (activations: every op elementwise, as in the notes' sigmoid = exp, add,
//   divide): the local derivative ∂y/∂x is carried through the node's ops forward (a product along
//   a chain, a sum over branches), from each op's local derivative the engine computed.
// - Dense nodes (matMul, add): ∂L/∂x[j] = Σₖ ∂L/∂y[k]·W[j,k], written out term by term.
import { fromWireTensor, type WireTensor } from '../../../engine/protocol/index.js';
import type { OpView } from './debugStore';

type Op = OpView['ops'][number];

export interface ElementwiseChain {
  readonly kind: 'elementwise';
  /** ∂L/∂y[i] */
  readonly upstream: number;
  /** ∂y/∂x[i] through the node's ops */
  readonly local: number;
  /** ∂L/∂x[i] as the engine computed it */
  readonly downstream: number;
  /** For a simple chain of ops: each op's name and local derivative, first op first. */
  readonly factors: readonly { readonly op: Op; readonly local: number }[] | null;
}

export interface DenseChain {
  readonly kind: 'dense';
  /** The terms ∂L/∂y[s,k] · W[j,k], k = 0 … */
  readonly terms: readonly { readonly grad: number; readonly weight: number }[];
  readonly sum: number;
  readonly downstream: number;
}

export type ChainView = ElementwiseChain | DenseChain;

const values = (t: WireTensor | null | undefined): Float32Array | Int32Array | null => (t === null || t === undefined ? null : fromWireTensor(t));

/** The chain rule at element `element` of sample `sample` of the node's (first) input, or null when the view has no numbers for it. */
export function chainRuleOf(view: OpView, sample: number, element: number): ChainView | null {
  return elementwise(view, sample, element) ?? dense(view, sample, element);
}

/** Index of a tensor inside the node: the op that produced it, or 'x' for the node's input. */
function isInSpan(view: OpView, producer: Op['output']['producer']): boolean {
  return producer !== null && view.ops.some((op) => op.index === producer.op);
}

function elementwise(view: OpView, sample: number, element: number): ElementwiseChain | null {
  const ops = view.ops;
  if (ops.length === 0 || ops.some((op) => op.inputs.some((t) => t.local === undefined))) return null;
  const first = ops[0]!;
  // The node's input: the first op's operand that comes from outside the node and is not a parameter.
  const input = first.inputs.find((t) => !isInSpan(view, t.producer) && t.param === undefined);
  const last = ops[ops.length - 1]!;
  if (input === undefined || input.shape[0] === undefined) return null;
  const per = input.shape.slice(1).reduce((a, b) => a * b, 1);
  if (element >= per) return null;
  const i = sample * per + element;
  const upstream = values(last.output.grad)?.[i];
  const downstream = values(input.grad)?.[i];
  if (upstream === undefined || downstream === undefined) return null;

  // Forward-mode derivative of every op output with respect to the node's input, at element i.
  const derivative = new Map<number, number>();
  const inputProducer = input.producer?.op ?? null;
  const dOf = (t: Op['inputs'][number]): number => {
    if (isInSpan(view, t.producer)) return derivative.get(t.producer!.op) ?? 0;
    return t.param === undefined && (t.producer?.op ?? null) === inputProducer && sameShape(t.shape, input.shape) ? 1 : 0;
  };
  let chain: { op: Op; local: number }[] | null = [];
  for (const op of ops) {
    let d = 0;
    let dependent = 0;
    let local = 0;
    for (const t of op.inputs) {
      const l = values(t.local)?.[i];
      const dt = dOf(t);
      if (dt === 0) continue;
      if (l === undefined) return null;
      d += l * dt;
      dependent++;
      local = l;
    }
    derivative.set(op.index, d);
    if (dependent === 1 && chain !== null) chain.push({ op, local });
    else chain = null;
  }
  return { kind: 'elementwise', upstream, local: derivative.get(last.index) ?? 0, downstream, factors: chain };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, k) => d === b[k]);
}

function dense(view: OpView, sample: number, element: number): DenseChain | null {
  const matMul = view.ops.find((op) => op.name === 'matMul');
  const last = view.ops[view.ops.length - 1];
  if (matMul === undefined || last === undefined) return null;
  const x = matMul.inputs[0];
  const w = matMul.inputs[1];
  if (x === undefined || w === undefined || w.param === undefined || w.shape.length !== 2) return null;
  const [fanIn, units] = w.shape as [number, number];
  const weights = values(w.value);
  const g = values(last.output.grad);
  const dx = values(x.grad);
  if (weights === null || g === null || dx === null || element >= fanIn) return null;
  const terms = Array.from({ length: units }, (_, k) => ({ grad: g[sample * units + k]!, weight: weights[element * units + k]! }));
  return { kind: 'dense', terms, sum: terms.reduce((s, t) => s + t.grad * t.weight, 0), downstream: dx[sample * fanIn + element]! };
}
