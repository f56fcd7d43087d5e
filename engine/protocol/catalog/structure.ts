// The structure family: nodes that merge branches of the graph. Add sums equal shapes (ResNet's
// shortcut); Concat joins shapes along one axis (Inception, DenseNet). Their number of input
// ports follows the `inputs` param.

import { formatShape, sameShape, sizeOf, type Shape } from '../shape.js';
import { text } from '../text.js';
import { axisFault, INPUT_COUNT_PARAM, numberedInputs, portShape, resolveAxis, SINGLE_OUTPUT } from './common.js';
import { defineNode, fault, type NodeSpec, type PortShapes } from './types.js';

type AddParams = { readonly inputs: number };
type ConcatParams = { readonly inputs: number; readonly axis: number };

/** The shapes on in0 … in{n-1}, in port order. */
function numberedShapes(inputs: PortShapes, count: number): { port: string; shape: Shape }[] {
  return numberedInputs(count).map(({ name }) => ({ port: name, shape: portShape(inputs, name) }));
}

const add = defineNode<AddParams>({
  type: 'Add',
  family: 'structure',
  role: 'layer',
  label: text('Add (residual shortcut)', '加算（残差ショートカット）'),
  summary: text('Adds its inputs element by element; the join of a ResNet shortcut.', '入力を要素ごとに足し合わせます。ResNet のショートカットの合流点です。'),
  explanation: text(
    'Add sums two or more tensors of exactly the same shape, element by element. Its main use is the residual (shortcut) connection of ResNet: a block’s input x skips over the block and is added to its output, y = F(x) + x, so the block only has to learn the residual F(x) = y − x. ' +
      'In backpropagation an add node passes the gradient unchanged to every input, so the shortcut carries gradients straight back to early layers; this is what lets networks with 100+ layers train without vanishing gradients. ' +
      'Pitfall: the shapes must match exactly. When a block changes the number of channels or uses stride 2, send the shortcut through a 1×1 Conv2D with the same filters and stride (a projection shortcut).',
    '加算ノードは、まったく同じ形状の 2 つ以上のテンソルを要素ごとに足し合わせます。主な用途は ResNet の残差（ショートカット）接続です。ブロックへの入力 x がブロックを飛び越えて出力に足される（y = F(x) + x）ので、ブロックは残差 F(x) = y − x だけを学習すればよくなります。' +
      '誤差逆伝播では、加算ノードは勾配をそのまますべての入力に流すので、ショートカットを通じて勾配が入力に近い層まで直接届きます。これにより、100 層を超えるネットワークでも勾配消失を起こさずに学習できます。' +
      '注意点: 形状は完全に一致しなければなりません。ブロックでチャンネル数が変わったりストライド 2 を使ったりする場合は、ショートカットを同じフィルタ数・ストライドの 1×1 Conv2D に通してください（射影ショートカット）。',
  ),
  formula: 'y = \\sum_{i=0}^{n-1} x^{(i)},\\qquad \\text{e.g. } y = \\mathcal{F}(x) + x',
  params: [INPUT_COUNT_PARAM],
  inputs: (params) => numberedInputs(params.inputs),
  outputs: SINGLE_OUTPUT,
  infer: (inputs, params) => {
    const [first, ...rest] = numberedShapes(inputs, params.inputs);
    if (first === undefined) return [];
    const differing = rest.find(({ shape }) => !sameShape(shape, first.shape));
    if (differing !== undefined) {
      const a = formatShape(first.shape);
      const b = formatShape(differing.shape);
      return fault(
        'SHAPE_MISMATCH',
        { port: differing.port },
        text(
          `Add needs inputs of the same shape, but ${differing.port} is ${b} while ${first.port} is ${a}.`,
          `加算ノードの入力はすべて同じ形状でなければなりませんが、${differing.port} は ${b}、${first.port} は ${a} です。`,
        ),
        text(
          `Make the branches match: for a shortcut around convolutions, pass it through a 1×1 Conv2D (projection shortcut) with the block’s filters and stride; for Dense layers, give both branches the same units.`,
          `分岐の形状をそろえてください。畳み込みを飛び越えるショートカットなら、ブロックと同じフィルタ数・ストライドの 1×1 Conv2D（射影ショートカット）に通します。Dense 層なら、両方の分岐のユニット数を同じにします。`,
        ),
      );
    }
    return [first.shape];
  },
  paramCount: () => 0,
  // n − 1 adds per element.
  flops: (_inputs, outputs, params) => (params.inputs - 1) * sizeOf(outputs[0] ?? []),
});

const concat = defineNode<ConcatParams>({
  type: 'Concat',
  family: 'structure',
  role: 'layer',
  label: text('Concat', '連結（Concat）'),
  summary: text('Joins its inputs side by side along one axis.', '入力を 1 つの軸に沿って並べてつなぎます。'),
  explanation: text(
    'Concat places its inputs one after another along one axis: two feature maps [32,14,14] and [16,14,14] joined on the channel axis (0) give [48,14,14]; two vectors [64] and [10] give [74]. ' +
      'Use it to merge parallel branches that look at the data differently, as in GoogLeNet’s Inception modules, DenseNet, U-Net’s skip connections, or to feed a condition vector into a network. ' +
      'Unlike Add, the inputs keep their identity and the output grows; in backpropagation the gradient is simply cut back into the pieces. ' +
      'Pitfall: every axis other than the joined one must have the same size — pooling only one branch, for instance, breaks the match of height and width.',
    '連結ノードは、入力を 1 つの軸に沿って順に並べます。チャンネル軸（0）で特徴マップ [32,14,14] と [16,14,14] をつなぐと [48,14,14]、ベクトル [64] と [10] をつなぐと [74] になります。' +
      'GoogLeNet の Inception モジュール、DenseNet、U-Net のスキップ接続のように、データを異なる見方で処理した並列の分岐を合流させるときや、条件ベクトルをネットワークに入れるときに使います。' +
      '加算と違って各入力はそのまま残り、出力は大きくなります。誤差逆伝播では、勾配を元の部分ごとに切り分けて返すだけです。' +
      '注意点: つなぐ軸以外のすべての軸の大きさがそろっている必要があります。たとえば片方の分岐だけをプーリングすると、高さと幅が合わなくなります。',
  ),
  formula: 'y = [\\, x^{(0)} ;\\, x^{(1)} ;\\, \\dots \\,]_{\\text{axis}},\\qquad d^{\\,y}_{\\text{axis}} = \\sum_i d^{\\,(i)}_{\\text{axis}}',
  params: [
    INPUT_COUNT_PARAM,
    {
      name: 'axis',
      kind: 'int',
      default: 0,
      min: -3,
      max: 2,
      label: text('Axis', '軸'),
      help: text(
        'Axis to join along, counted after the batch axis N: 0 is the channels of an image [C,H,W] and the features of a vector [F]; −1 is the last axis.',
        'つなぐ軸です。バッチ軸 N の次を 0 として数えます。画像 [C,H,W] ならチャンネル、ベクトル [F] なら特徴量が 0 で、−1 は最後の軸です。',
      ),
    },
  ],
  inputs: (params) => numberedInputs(params.inputs),
  outputs: SINGLE_OUTPUT,
  infer: (inputs, params) => {
    const [first, ...rest] = numberedShapes(inputs, params.inputs);
    if (first === undefined) return [];
    const axis = resolveAxis(params.axis, first.shape.length);
    if (axis === undefined) return axisFault('Concat', params.axis, first.shape);

    const out = [...first.shape];
    for (const { port, shape } of rest) {
      const a = formatShape(first.shape);
      const b = formatShape(shape);
      if (shape.length !== first.shape.length) {
        return fault(
          'SHAPE_MISMATCH',
          { port },
          text(
            `Concat needs inputs with the same number of axes, but ${port} is ${b} while ${first.port} is ${a}.`,
            `連結ノードの入力は軸の数がそろっている必要がありますが、${port} は ${b}、${first.port} は ${a} です。`,
          ),
          text(
            'Flatten or Reshape one branch so both have the same rank, e.g. flatten an image branch before joining it to a vector.',
            '片方の分岐を Flatten または Reshape して軸の数をそろえてください。たとえば、画像の分岐はベクトルとつなぐ前に平坦化します。',
          ),
        );
      }
      const other = shape.findIndex((d, i) => i !== axis && d !== first.shape[i]);
      if (other !== -1) {
        return fault(
          'SHAPE_MISMATCH',
          { port },
          text(
            `Concat joins along axis ${params.axis}, so all other axes must match, but axis ${other} of ${port} ${b} is ${shape[other]} while ${first.port} ${a} has ${first.shape[other]}.`,
            `連結ノードは軸 ${params.axis} に沿ってつなぐので他の軸の大きさはそろっている必要がありますが、${port} ${b} の軸 ${other} は ${shape[other]}、${first.port} ${a} では ${first.shape[other]} です。`,
          ),
          text(
            'Make the branches agree on every other axis (the same pooling, stride and padding on image branches), or join along a different axis.',
            'ほかの軸の大きさを分岐間でそろえる（画像の分岐ならプーリング・ストライド・パディングを同じにする）か、別の軸でつないでください。',
          ),
        );
      }
      out[axis] = (out[axis] ?? 0) + (shape[axis] ?? 0);
    }
    return [out];
  },
  paramCount: () => 0,
  // Concatenation only copies memory.
  flops: () => 0,
});

export const structureNodes: readonly NodeSpec[] = [add, concat];
