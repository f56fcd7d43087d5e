// Export to ONNX (DESIGN.md §7): a trained model with its weights as an ONNX ModelProto (opset
// 17, inference form), written with the hand-made protobuf writer. The model's output is the
// input of the loss node (for CrossEntropy: the logits). Mapping table: docs/export.md.

import { windowPads } from '../layers/convolution.js';
import { validateGraph, type GraphDocument, type GraphNode, type Shape } from '../protocol/index.js';
import type { Model } from '../train/model.js';
import { ProtoWriter } from './protobuf.js';
import { ExportError } from './typescript.js';

export const ONNX_OPSET = 17;
/** IR version 8 goes with opsets up to 18 (ONNX's versioning table). */
const IR_VERSION = 8;

// ONNX enums (onnx.proto).
const FLOAT = 1;
const INT64 = 7;
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_INTS = 7;

/** One weight tensor, as a checkpoint or a model holds it, named `nodeId.param`. */
export interface WeightTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array | Float64Array | Int32Array;
}
export type Weights = ReadonlyMap<string, WeightTensor>;

type Attribute = readonly [name: string, kind: 'int' | 'float' | 'ints', value: number | readonly number[]];

interface OnnxNode {
  readonly op: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes?: readonly Attribute[];
}

interface Initializer {
  readonly name: string;
  readonly dims: readonly number[];
  readonly type: typeof FLOAT | typeof INT64;
  readonly raw: Uint8Array;
}

/** Reads every parameter and state tensor of a model (BatchNorm running statistics included). */
export async function modelWeights(model: Model): Promise<Map<string, WeightTensor>> {
  const weights = new Map<string, WeightTensor>();
  for (const p of model.parameters()) weights.set(`${p.nodeId}.${p.name}`, { shape: p.tensor.shape, data: await p.tensor.read() });
  for (const s of model.state()) weights.set(`${s.nodeId}.${s.name}`, { shape: s.tensor.shape, data: await s.tensor.read() });
  return weights;
}

/** The ONNX model for a graph and its weights; throws ExportError naming a node ONNX cannot express. */
export function exportOnnx(doc: GraphDocument, weights: Weights): Uint8Array {
  const report = validateGraph(doc);
  const error = report.diagnostics.find((d) => d.severity === 'error');
  if (error !== undefined) throw new ExportError(`cannot export a graph with errors: ${error.message.en}`, error.nodeId);
  const byId = new Map(doc.nodes.map((n) => [n.id, n]));
  const incoming = (id: string, port: string): string | undefined => {
    const edge = doc.edges.find((e) => e.target.node === id && e.target.port === port);
    return edge?.source.node;
  };

  // The cut: each loss's prediction is an output; without a loss, every node nothing reads from.
  const lossIds = report.order.filter((id) => report.nodes.get(id)!.spec.role === 'loss');
  const outputIds = lossIds.length > 0
    ? [...new Set(lossIds.map((id) => incoming(id, 'in')!))]
    : report.order.filter((id) => !doc.edges.some((e) => e.source.node === id));
  // Only what the outputs need is exported (a loss's target branch is not).
  const needed = new Set<string>();
  const visit = (id: string): void => {
    if (needed.has(id)) return;
    needed.add(id);
    for (const e of doc.edges) if (e.target.node === id) visit(e.source.node);
  };
  outputIds.forEach(visit);

  const nodes: OnnxNode[] = [];
  const initializers: Initializer[] = [];
  const inputs: Array<{ name: string; shape: Shape }> = [];
  for (const id of report.order) {
    if (!needed.has(id)) continue;
    const node = byId.get(id)!;
    const info = report.nodes.get(id)!;
    const params = info.params!;
    const inShape = info.inputs['in'];
    const x = incoming(id, 'in') ?? '';
    const weight = (name: string): string => {
      const key = `${id}.${name}`;
      const tensor = weights.get(key);
      if (tensor === undefined) throw new ExportError(`the weights have no tensor ${JSON.stringify(key)} for ${node.type} ${JSON.stringify(id)} (weights from another graph?)`, id);
      initializers.push({ name: key, dims: tensor.shape, type: FLOAT, raw: floatBytes(tensor.data) });
      return key;
    };
    const one = (op: string, ins: readonly string[], attributes: readonly Attribute[] = [], output = id): void => {
      nodes.push({ op, name: output, inputs: ins, outputs: [output], attributes });
    };
    const axisAfterBatch = (axis: number): number => (axis < 0 ? axis : axis + 1);
    switch (node.type) {
      case 'Input':
        inputs.push({ name: id, shape: info.outputs![0]! });
        break;
      case 'Dense': {
        const ins = [x, weight('weight')];
        if (params['bias'] === true) ins.push(weight('bias'));
        one('Gemm', ins); // W is [F, units] (Keras layout): y = x·W + b, transB = 0
        break;
      }
      case 'Sigmoid': one('Sigmoid', [x]); break;
      case 'Tanh': one('Tanh', [x]); break;
      case 'Softsign': one('Softsign', [x]); break;
      case 'ReLU': one('Relu', [x]); break;
      case 'Softplus': one('Softplus', [x]); break;
      case 'Identity': one('Identity', [x]); break;
      case 'Dropout': one('Identity', [x]); break; // inverted dropout: the identity at inference
      case 'LeakyReLU': one('LeakyRelu', [x], [['alpha', 'float', Number(params['alpha'])]]); break;
      case 'ELU': one('Elu', [x], [['alpha', 'float', Number(params['alpha'])]]); break;
      case 'ReLU6': {
        const lo = scalar(initializers, `${id}#min`, 0);
        const hi = scalar(initializers, `${id}#max`, 6);
        one('Clip', [x, lo, hi]);
        break;
      }
      case 'Softmax': one('Softmax', [x], [['axis', 'int', axisAfterBatch(Number(params['axis']))]]); break;
      case 'Conv2D': {
        const kernel = pair(params['kernel']);
        const stride = pair(params['stride']);
        const dilation = pair(params['dilation']);
        const pads = onnxPads(windowPads(String(params['padding']), pair(params['pad']), inShape!, kernel, stride, dilation));
        const ins = [x, weight('weight')];
        if (params['bias'] === true) ins.push(weight('bias'));
        one('Conv', ins, [
          ['kernel_shape', 'ints', kernel], ['strides', 'ints', stride], ['dilations', 'ints', dilation],
          ['pads', 'ints', pads], ['group', 'int', Number(params['groups'])],
        ]);
        break;
      }
      case 'MaxPool':
      case 'AvgPool':
      case 'LpPool': {
        const kernel = pair(params['kernel']);
        const stride = pair(params['stride']);
        const pads = onnxPads(windowPads(String(params['padding']), pair(params['pad']), inShape!, kernel, stride));
        const attributes: Attribute[] = [['kernel_shape', 'ints', kernel], ['strides', 'ints', stride], ['pads', 'ints', pads]];
        if (node.type === 'MaxPool') one('MaxPool', [x], attributes); // ONNX pads MaxPool with −∞, as we do
        else if (node.type === 'AvgPool') one('AveragePool', [x], [...attributes, ['count_include_pad', 'int', 0]]);
        else {
          const p = Number(params['p']);
          if (!Number.isInteger(p)) throw new ExportError(`LpPool ${JSON.stringify(id)}: ONNX's LpPool takes a whole-number p, and this node has p = ${p}`, id);
          one('LpPool', [x], [...attributes, ['p', 'int', p]]);
        }
        break;
      }
      case 'GlobalAvgPool':
        // ONNX keeps the spatial axes ([N,C,1,1]); ours gives [N,C].
        one('GlobalAveragePool', [x], [], `${id}#pooled`);
        one('Flatten', [`${id}#pooled`], [['axis', 'int', 1]]);
        break;
      case 'Flatten': one('Flatten', [x], [['axis', 'int', 1]]); break;
      case 'Reshape': {
        // 0 copies the batch axis; the catalog's per-sample shape follows (one −1 allowed).
        const target = [0, ...(params['shape'] as number[])];
        initializers.push({ name: `${id}#shape`, dims: [target.length], type: INT64, raw: int64Bytes(target) });
        one('Reshape', [x, `${id}#shape`]);
        break;
      }
      case 'BatchNorm':
        // Inference form with the running statistics; momentum is Keras' (and ONNX's) convention.
        one('BatchNormalization', [x, weight('gamma'), weight('beta'), weight('runningMean'), weight('runningVariance')], [
          ['epsilon', 'float', Number(params['epsilon'])], ['momentum', 'float', Number(params['momentum'])],
        ]);
        break;
      case 'LRN': {
        const size = Number(params['size']);
        // ONNX divides alpha by size; ours multiplies the sum of squares directly.
        one('LRN', [x], [['size', 'int', size], ['alpha', 'float', Number(params['alpha']) * size], ['beta', 'float', Number(params['beta'])], ['bias', 'float', Number(params['k'])]]);
        break;
      }
      case 'Add':
      case 'Concat': {
        const count = Number(params['inputs']);
        const ins = Array.from({ length: count }, (_, i) => incoming(id, `in${i}`)!);
        if (node.type === 'Add') one('Sum', ins);
        else one('Concat', ins, [['axis', 'int', axisAfterBatch(Number(params['axis']))]]);
        break;
      }
      default:
        throw new ExportError(unmapped(node), id);
    }
  }

  const graph = new ProtoWriter();
  for (const n of nodes) graph.message(1, nodeProto(n));
  graph.string(2, doc.name);
  for (const init of initializers) graph.message(5, tensorProto(init));
  if (doc.description !== undefined) graph.string(10, doc.description);
  for (const input of inputs) graph.message(11, valueInfo(input.name, input.shape));
  for (const id of outputIds) graph.message(12, valueInfo(id, report.nodes.get(id)!.outputs![0]!));

  const model = new ProtoWriter()
    .varint(1, IR_VERSION)
    .string(2, 'netwright')
    .string(3, '0.1.0')
    .message(7, graph)
    .message(8, new ProtoWriter().string(1, '').varint(2, ONNX_OPSET));
  return model.finish();
}

/** Why a node has no ONNX form, naming it. */
function unmapped(node: GraphNode): string {
  const name = `${node.type} ${JSON.stringify(node.id)}${node.label !== undefined ? ` (${JSON.stringify(node.label)})` : ''}`;
  if (node.type === 'Step' || node.type === 'Perceptron') {
    return `${name} has no ONNX mapping: its step function has no ONNX operator with the same output (export a Dense + Sigmoid network instead)`;
  }
  return `${name} has no ONNX mapping: only the model up to the loss's input is exported, and this node cannot be expressed in ONNX`;
}

function pair(value: unknown): [number, number] {
  const a = value as readonly number[];
  return [a[0]!, a[1]!];
}

/** Ours [top, bottom, left, right] → ONNX [top, left, bottom, right] (all begins, then all ends). */
function onnxPads(p: readonly [number, number, number, number]): number[] {
  return [p[0], p[2], p[1], p[3]];
}

function floatBytes(data: Float32Array | Float64Array | Int32Array): Uint8Array {
  const f32 = data instanceof Float32Array ? data : Float32Array.from(data);
  // ONNX raw_data is little-endian, as every platform Node runs on is.
  return new Uint8Array(f32.buffer.slice(f32.byteOffset, f32.byteOffset + f32.byteLength));
}

function int64Bytes(values: readonly number[]): Uint8Array {
  const out = new BigInt64Array(values.map((v) => BigInt(v)));
  return new Uint8Array(out.buffer);
}

function scalar(initializers: Initializer[], name: string, value: number): string {
  initializers.push({ name, dims: [], type: FLOAT, raw: floatBytes(Float32Array.of(value)) });
  return name;
}

function nodeProto(n: OnnxNode): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name).string(4, n.op);
  for (const [name, kind, value] of n.attributes ?? []) {
    const a = new ProtoWriter().string(1, name);
    if (kind === 'float') a.float(2, value as number).varint(20, ATTR_FLOAT);
    else if (kind === 'int') a.varint(3, value as number).varint(20, ATTR_INT);
    else {
      for (const v of value as readonly number[]) a.varint(8, v);
      a.varint(20, ATTR_INTS);
    }
    w.message(5, a);
  }
  return w;
}

function tensorProto(t: Initializer): ProtoWriter {
  const w = new ProtoWriter();
  for (const d of t.dims) w.varint(1, d);
  return w.varint(2, t.type).string(8, t.name).bytes(9, t.raw);
}

/** A float tensor with a symbolic batch axis "N" before the per-sample shape. */
function valueInfo(name: string, shape: Shape): ProtoWriter {
  const dims = new ProtoWriter().message(1, new ProtoWriter().string(2, 'N'));
  for (const d of shape) dims.message(1, new ProtoWriter().varint(1, d));
  const tensorType = new ProtoWriter().varint(1, FLOAT).message(2, dims);
  return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
}
