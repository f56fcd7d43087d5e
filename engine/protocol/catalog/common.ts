// Pieces shared by the catalog's family files: the standard `in`/`out` ports, the params that
// recur across families (units, bias, axis, number of inputs), and the shape faults several
// nodes raise in the same words, so a learner reads one consistent message everywhere.

import { formatShape, sizeOf, type Shape } from '../shape.js';
import { text } from '../text.js';
import { fault, type BoolParam, type IntParam, type PortShapes, type PortSpec, type ShapeFault } from './types.js';

// ---------------------------------------------------------------------------------------------
// Ports

export const IN_PORT: PortSpec = { name: 'in', label: text('Input', '入力') };
export const OUT_PORT: PortSpec = { name: 'out', label: text('Output', '出力') };

export const SINGLE_INPUT: readonly PortSpec[] = [IN_PORT];
export const SINGLE_OUTPUT: readonly PortSpec[] = [OUT_PORT];

/** `inputs` for the common case of one input port named `in`. */
export function singleInput(): readonly PortSpec[] {
  return SINGLE_INPUT;
}

/**
 * The shape on a required input port. Validation runs shape rules only once every required
 * port is connected, so a missing shape here is a bug in the caller, not a user error: fail
 * loudly instead of inventing a shape.
 */
export function portShape(inputs: PortShapes, port = 'in'): Shape {
  const shape = inputs[port];
  if (shape === undefined) {
    throw new Error(`shape rule called without a shape on required port '${port}'`);
  }
  return shape;
}

// ---------------------------------------------------------------------------------------------
// Params that several nodes share

export function unitsParam(defaultUnits: number): IntParam {
  return {
    name: 'units',
    kind: 'int',
    default: defaultUnits,
    min: 1,
    max: 65536,
    label: text('Units', 'ユニット数'),
    help: text(
      'Number of output neurons. Each one has its own weight for every input feature, so the weight matrix is inputs × units.',
      '出力ニューロンの数です。各ニューロンが入力の特徴量ごとに重みを 1 つずつ持つので、重み行列は「入力数 × ユニット数」になります。',
    ),
  };
}

export const BIAS_PARAM: BoolParam = {
  name: 'bias',
  kind: 'bool',
  default: true,
  label: text('Bias', 'バイアス'),
  help: text(
    'Add a learned bias b to each output. Turn it off when the next node is BatchNorm, whose shift β does the same job.',
    '各出力に学習可能なバイアス b を加えます。直後に BatchNorm を置く場合は、そのシフト β が同じ役割を果たすのでオフにしてかまいません。',
  ),
};

/** `inputs` param of Add and Concat: how many input ports the node shows. */
export const INPUT_COUNT_PARAM: IntParam = {
  name: 'inputs',
  kind: 'int',
  default: 2,
  min: 2,
  max: 8,
  label: text('Inputs', '入力数'),
  help: text(
    'Number of input ports (in0, in1, …). Every port must be connected.',
    '入力ポート（in0, in1, …）の数です。すべてのポートを接続する必要があります。',
  ),
};

/** Input ports in0 … in{n-1}, for nodes whose `inputs` param sets their arity. */
export function numberedInputs(count: number): readonly PortSpec[] {
  const ports: PortSpec[] = [];
  for (let i = 0; i < count; i++) {
    ports.push({ name: `in${i}`, label: text(`Input ${i}`, `入力 ${i}`) });
  }
  return ports;
}

// ---------------------------------------------------------------------------------------------
// Axes

/** "1 axis", "3 axes": how many axes a per-sample shape has after N. */
function axisCount(rank: number): string {
  return `${rank} ${rank === 1 ? 'axis' : 'axes'}`;
}

/**
 * An axis of the per-sample shape, Python style: 0 is the first axis after the implicit batch,
 * -1 the last. Returns the non-negative index, or undefined when the axis does not exist.
 */
export function resolveAxis(axis: number, rank: number): number | undefined {
  const resolved = axis < 0 ? axis + rank : axis;
  return Number.isInteger(resolved) && resolved >= 0 && resolved < rank ? resolved : undefined;
}

/** The fault for an `axis` param that names an axis the input does not have. */
export function axisFault(node: string, axis: number, shape: Shape): ShapeFault {
  const rank = shape.length;
  const valid = rank === 0 ? 'none' : `${-rank}…${rank - 1}`;
  const validJa = rank === 0 ? 'なし' : `${-rank}〜${rank - 1}`;
  return fault(
    'SHAPE_RANK',
    { param: 'axis' },
    text(
      `${node}: axis ${axis} does not exist in the input ${formatShape(shape)}, which has ${axisCount(rank)} after the batch axis N (valid: ${valid}).`,
      `${node}: 入力 ${formatShape(shape)} にはバッチ軸 N を除いて ${rank} 個の軸しかなく、axis ${axis} は存在しません（指定できる値: ${validJa}）。`,
    ),
    text(
      'Axes count from 0 after the batch axis N; -1 is the last axis. For a vector [N,F] use 0 or -1; for an image [N,C,H,W], 0 is the channel axis.',
      '軸はバッチ軸 N の次を 0 として数え、-1 は最後の軸です。ベクトル [N,F] なら 0 か -1、画像 [N,C,H,W] なら 0 がチャンネル軸です。',
    ),
  );
}

// ---------------------------------------------------------------------------------------------
// Rank faults

/** Flattened size of a shape, for hints such as "[N,1,28,28] → [N,784]". */
function flattened(shape: Shape): string {
  return formatShape([sizeOf(shape)]);
}

/** Dense-like nodes want a vector [F]; an image or sequence must be flattened first. */
export function needsVectorFault(node: string, port: string, shape: Shape): ShapeFault {
  return fault(
    'SHAPE_RANK',
    { port },
    text(
      `${node} needs a vector [N,F] on '${port}', but it receives ${formatShape(shape)} (${axisCount(shape.length)} after N).`,
      `${node} の '${port}' にはベクトル [N,F] が必要ですが、${formatShape(shape)}（N の後に ${shape.length} 軸）が入力されています。`,
    ),
    shape.length > 1
      ? text(
          `Add a Flatten node before ${node}: it turns ${formatShape(shape)} into ${flattened(shape)}.`,
          `${node} の前に Flatten ノードを追加してください。${formatShape(shape)} が ${flattened(shape)} に変換されます。`,
        )
      : text(
          `Connect a node that outputs a vector, or add a Reshape node with shape [F] before ${node}.`,
          `ベクトルを出力するノードを接続するか、${node} の前に形状 [F] の Reshape ノードを追加してください。`,
        ),
  );
}

/** A guess at the image a flat vector came from: 784 → [1,28,28], 3072 → [3,32,32]. */
function imageGuess(size: number): Shape | undefined {
  for (const channels of [1, 3]) {
    const side = Math.round(Math.sqrt(size / channels));
    if (side > 1 && channels * side * side === size) return [channels, side, side];
  }
  return undefined;
}

/** Convolution-like nodes want an image [C,H,W]. */
export function needsImageFault(node: string, port: string, shape: Shape): ShapeFault {
  const guess = shape.length === 1 ? imageGuess(sizeOf(shape)) : undefined;
  const example = guess
    ? text(
        ` Here ${formatShape(shape)} could become ${formatShape(guess)}.`,
        `この場合は ${formatShape(shape)} を ${formatShape(guess)} にできます。`,
      )
    : text('', '');
  return fault(
    'SHAPE_RANK',
    { port },
    text(
      `${node} needs an image [N,C,H,W] (channels, height, width) on '${port}', but it receives ${formatShape(shape)} (${axisCount(shape.length)} after N).`,
      `${node} の '${port}' には画像 [N,C,H,W]（チャンネル・高さ・幅）が必要ですが、${formatShape(shape)}（N の後に ${shape.length} 軸）が入力されています。`,
    ),
    text(
      `Give the Input node an image shape such as [1,28,28], or insert a Reshape node before ${node}.${example.en}`,
      `Input ノードの形状を [1,28,28] のような画像の形にするか、${node} の前に Reshape ノードを挿入してください。${example.ja}`,
    ),
  );
}

/** A node that needs at least one axis (Flatten, BatchNorm) was given a scalar. */
export function needsAxesFault(node: string, port: string, shape: Shape): ShapeFault {
  return fault(
    'SHAPE_RANK',
    { port },
    text(
      `${node} needs at least one axis after N on '${port}', but it receives a scalar per sample ${formatShape(shape)}.`,
      `${node} の '${port}' には N の後に少なくとも 1 つの軸が必要ですが、サンプルごとにスカラー ${formatShape(shape)} が入力されています。`,
    ),
    text(
      'A scalar usually comes from a loss node; connect the layer before the loss instead.',
      'スカラーは通常、損失ノードの出力です。損失ノードの手前の層を接続してください。',
    ),
  );
}

/** Narrows a helper's result (a window, a shape) from the fault it may be instead. */
export function isShapeFault<T extends object>(x: T | ShapeFault): x is ShapeFault {
  return (x as Partial<ShapeFault>).fault === true;
}
