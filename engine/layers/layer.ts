// The layer contract: what a catalog node becomes in the engine. A builder takes the node's
// resolved params and per-sample input shapes (from validateGraph) and returns its parameters,
// its state and a forward function composed from ops, so backprop comes from the ops for free.

import type { Backend } from '../backends/backend.js';
import { fill, type Tensor } from '../core/tensor.js';
import type { Shape } from '../core/shape.js';
import type { Params, PortShapes } from '../protocol/index.js';

/** What one forward call knows beyond its inputs. One object per model forward, shared by all nodes. */
export interface LayerContext {
  /** Training mode: dropout drops, BatchNorm uses batch statistics and updates its running ones. */
  readonly training: boolean;
  /** The run's seed; layers derive their own random streams from it (dropout masks). */
  readonly seed: number;
  /** The training step (0, 1, 2 …): a dropout mask differs per step, deterministically. */
  readonly step: number;
  /**
   * The dataset's labels, for a loss whose `target` port is unconnected: int32 class indices [N],
   * or float32 targets with the prediction's shape.
   */
  readonly labels?: Tensor;
  /**
   * Set for a MaxPool that takes in the ReLU before it (train/model.ts, ForwardOptions.fuse): the
   * layer returns relu(maxPool(x)), computed by one kernel (ops.PoolOptions.relu).
   */
  readonly fusedRelu?: boolean;
}

/** Input tensors by port name ('in', 'in0', 'target' …); each carries the batch axis first. */
export type LayerInputs = Readonly<Record<string, Tensor>>;

export interface Layer {
  /** The catalog node type. */
  readonly type: string;
  /** Trainable parameters by name ('weight', 'bias', 'gamma', 'beta'); persistent, requiresGrad. */
  readonly params: Readonly<Record<string, Tensor>>;
  /** Non-trainable persistent tensors by name (BatchNorm's 'runningMean', 'runningVariance'). */
  readonly state: Readonly<Record<string, Tensor>>;
  /** Outputs in the order of the catalog entry's `outputs`. Must not keep `inputs` (it is reused). */
  forward(inputs: LayerInputs, ctx: LayerContext): readonly Tensor[];
}

/** What a parameter is for: it decides the default initializer and whether a weight penalty applies. */
export type ParamRole = 'weight' | 'bias' | 'gamma' | 'beta';

/** Fan-in and fan-out of a weight, for the scaled initializers (Glorot, He, LeCun). */
export interface Fans {
  readonly fanIn: number;
  readonly fanOut: number;
}

/** A layer asks for each parameter by name, shape, role and fans; the model decides the values. */
export interface ParamRequest {
  readonly name: string;
  readonly shape: Shape;
  readonly role: ParamRole;
  readonly fans: Fans;
}

/** Creates a persistent trainable tensor (`variable`) for a request. */
export type ParamFactory = (request: ParamRequest) => Tensor;

/** A node ready to become a layer: the catalog's view of it, resolved. */
export interface LayerNode {
  readonly id: string;
  readonly type: string;
  /** Every param with its default filled in. */
  readonly params: Params;
  /** Per-sample input shapes by port (an unconnected optional port is absent). */
  readonly inputs: PortShapes;
  /** Per-sample output shapes, as the catalog inferred them. */
  readonly outputs: readonly Shape[];
  readonly backend: Backend;
}

export type LayerBuilder = (node: LayerNode, createParam: ParamFactory) => Layer;

export const NO_TENSORS: Readonly<Record<string, Tensor>> = Object.freeze({});

// ---------------------------------------------------------------------------------------------
// Reading resolved params. validateGraph has checked kinds and ranges, so these only narrow types;
// a mismatch here means a layer was built without validation, which is a caller bug.

export function numberParam(node: LayerNode, name: string): number {
  const value = node.params[name];
  if (typeof value !== 'number') throw new Error(`${node.type} '${node.id}': param ${name} should be a number, got ${String(value)}`);
  return value;
}

export function boolParam(node: LayerNode, name: string): boolean {
  const value = node.params[name];
  if (typeof value !== 'boolean') throw new Error(`${node.type} '${node.id}': param ${name} should be true or false, got ${String(value)}`);
  return value;
}

export function stringParam(node: LayerNode, name: string): string {
  const value = node.params[name];
  if (typeof value !== 'string') throw new Error(`${node.type} '${node.id}': param ${name} should be text, got ${String(value)}`);
  return value;
}

export function intsParam(node: LayerNode, name: string): readonly number[] {
  const value = node.params[name];
  if (!Array.isArray(value)) throw new Error(`${node.type} '${node.id}': param ${name} should be a list of numbers, got ${String(value)}`);
  return value as readonly number[];
}

/** A two-entry param ([h, w]); a one-entry list means both. */
export function pairParam(node: LayerNode, name: string): [number, number] {
  const list = intsParam(node, name);
  const first = list[0];
  if (first === undefined) throw new Error(`${node.type} '${node.id}': param ${name} is empty`);
  return [first, list[1] ?? first];
}

/** The per-sample shape on a connected port. */
export function inputShape(node: LayerNode, port = 'in'): Shape {
  const shape = node.inputs[port];
  if (shape === undefined) throw new Error(`${node.type} '${node.id}': no shape for input port '${port}'`);
  return shape;
}

/** The tensor on a required port; a missing one is a wiring bug in the caller. */
export function input(inputs: LayerInputs, port: string, node: LayerNode): Tensor {
  const t = inputs[port];
  if (t === undefined) throw new Error(`${node.type} '${node.id}': nothing on input port '${port}'`);
  return t;
}

/** The per-sample output shape with the batch axis left to reshape (−1): no allocation per call. */
export function batchedShape(perSample: Shape): readonly number[] {
  return [-1, ...perSample];
}

/** A persistent, non-trainable tensor filled with `value` (running statistics). */
export function stateTensor(backend: Backend, shape: Shape, value: number): Tensor {
  return fill(backend, shape, value, 'float32', 'persistent');
}
