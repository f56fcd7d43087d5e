// The layer registry: one builder per catalog node type, gathered from one file per family.
// `satisfies Record<LayerType, LayerBuilder>` makes a type listed here without a builder a compile
// error; layers.test.ts checks that LAYER_TYPES and the catalog list the same types.

import type { Backend } from '../backends/backend.js';
import type { Shape } from '../core/shape.js';
import { isFault, specOf, type ParamValue, type PortShapes } from '../protocol/index.js';
import { activationLayers } from './activations.js';
import { convolutionLayers } from './convolution.js';
import { denseLayers } from './dense.js';
import { inputLayers } from './input.js';
import type { Layer, LayerBuilder, LayerNode, ParamFactory } from './layer.js';
import { lossLayers } from './losses.js';
import { regularizationLayers } from './regularization.js';
import { structureLayers } from './structure.js';

export * from './layer.js';
export { FEED_PORT } from './input.js';
export { perceptronUpdate } from './dense.js';
export { windowPads } from './convolution.js';

/** Every node type the engine can build, in catalog order. */
export const LAYER_TYPES = [
  'Input',
  'Dense',
  'Perceptron',
  'Step',
  'Sigmoid',
  'Tanh',
  'Softsign',
  'ReLU',
  'ReLU6',
  'LeakyReLU',
  'Softplus',
  'ELU',
  'Identity',
  'Softmax',
  'Conv2D',
  'MaxPool',
  'AvgPool',
  'LpPool',
  'GlobalAvgPool',
  'Flatten',
  'Reshape',
  'Dropout',
  'BatchNorm',
  'LRN',
  'Add',
  'Concat',
  'MSE',
  'CrossEntropy',
  'BinaryCrossEntropy',
  'L1',
  'SmoothL1',
  'Hinge',
] as const;

export type LayerType = (typeof LAYER_TYPES)[number];

export const LAYERS = {
  ...inputLayers,
  ...denseLayers,
  ...activationLayers,
  ...convolutionLayers,
  ...regularizationLayers,
  ...structureLayers,
  ...lossLayers,
} satisfies Record<LayerType, LayerBuilder>;

const BUILDERS: ReadonlyMap<string, LayerBuilder> = new Map(Object.entries(LAYERS));

export function isLayerType(type: string): type is LayerType {
  return BUILDERS.has(type);
}

/** Builds the layer for a resolved node (from validateGraph, or from `layerNode`). */
export function buildLayer(node: LayerNode, createParam: ParamFactory): Layer {
  const builder = BUILDERS.get(node.type);
  if (builder === undefined) throw new Error(`no layer for node type '${node.type}' (node '${node.id}')`);
  return builder(node, createParam);
}

/**
 * A LayerNode made from a node type, the params it sets (the others take the catalog defaults)
 * and per-sample input shapes, with output shapes from the catalog's shape rule. For building
 * layers by code (tests, exported scripts); graphs go through validateGraph instead, which also
 * checks param ranges. Throws with the shape rule's message when the shapes do not fit.
 */
export function layerNode(
  backend: Backend,
  id: string,
  type: string,
  params: Readonly<Record<string, ParamValue>>,
  inputs: PortShapes,
): LayerNode {
  const spec = specOf(type);
  if (spec === undefined) throw new Error(`unknown node type '${type}'`);
  const resolved: Record<string, ParamValue> = {};
  for (const param of spec.params) resolved[param.name] = params[param.name] ?? param.default;
  for (const name of Object.keys(params)) {
    if (!(name in resolved)) throw new Error(`${type} has no parameter '${name}'`);
  }
  const outputs = spec.infer(inputs, resolved);
  if (isFault(outputs)) throw new Error(`${type} '${id}': ${outputs.message.en}`);
  const shapes: readonly Shape[] = outputs;
  return { id, type, params: resolved, inputs, outputs: shapes, backend };
}
