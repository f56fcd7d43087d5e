// The convolution family (畳み込み層・プーリング層): Conv2D, the pooling layers, and the nodes that
// move between images and vectors (GlobalAvgPool, Flatten, Reshape). Images are per-sample
// [C,H,W] (channels first); the window arithmetic shared by Conv2D and pooling lives here.

import { formatShape, samePadding, sizeOf, windowOutput, type Shape } from '../shape.js';
import { text, type Text } from '../text.js';
import { BIAS_PARAM, isShapeFault, needsAxesFault, needsImageFault, portShape, SINGLE_OUTPUT, singleInput } from './common.js';
import {
  defineNode,
  fault,
  type EnumParam,
  type FloatParam,
  type IntParam,
  type IntsParam,
  type NodeSpec,
  type PortShapes,
  type ShapeFault,
} from './types.js';

// ---------------------------------------------------------------------------------------------
// Window params shared by Conv2D and the pooling layers

function pairParam(name: string, defaultPair: readonly number[], min: number, label: IntsParam['label'], help: IntsParam['help']): IntsParam {
  return { name, kind: 'ints', default: defaultPair, minLength: 2, maxLength: 2, min, max: 64, label, help };
}

function kernelParam(defaultKernel: readonly number[]): IntsParam {
  return pairParam(
    'kernel',
    defaultKernel,
    1,
    text('Kernel [h, w]', 'カーネル [h, w]'),
    text('Height and width of the sliding window.', 'スライドさせる窓（フィルタ）の高さと幅です。'),
  );
}

function strideParam(defaultStride: readonly number[]): IntsParam {
  return pairParam(
    'stride',
    defaultStride,
    1,
    text('Stride [h, w]', 'ストライド [h, w]'),
    text(
      'How far the window moves each step. A stride of 2 roughly halves the height and width of the output.',
      '窓を 1 回に動かす幅です。ストライド 2 で出力の高さと幅がおよそ半分になります。',
    ),
  );
}

const PADDING_PARAM: EnumParam = {
  name: 'padding',
  kind: 'enum',
  default: 'valid',
  options: [
    { value: 'valid', label: text('Valid (no padding)', 'valid（パディングなし）') },
    { value: 'same', label: text('Same (keep size at stride 1)', 'same（ストライド 1 で大きさを保つ）') },
    { value: 'explicit', label: text('Explicit (use “pad”)', '明示指定（「pad」を使用）') },
  ],
  label: text('Padding', 'パディング'),
  help: text(
    'valid: the window stays inside the image, so the output shrinks. same: pad so the output is ceil(size / stride), with the odd extra pixel after (TensorFlow / ONNX SAME_UPPER). explicit: pad by “pad” on each side.',
    'valid: 窓は画像の内側だけを動くので出力は小さくなります。same: 出力が ceil(大きさ / ストライド) になるようにパディングします（奇数で余る 1 画素は後ろ側。TensorFlow / ONNX の SAME_UPPER）。explicit: 上下左右に「pad」ずつパディングします。',
  ),
};

const PAD_PARAM: IntsParam = pairParam(
  'pad',
  [0, 0],
  0,
  text('Pad [h, w]', 'パディング幅 [h, w]'),
  text(
    'Used only when padding is “explicit”: rows added above and below, and columns added left and right.',
    'パディングが「明示指定」のときだけ使います。上下に加える行数と、左右に加える列数です。',
  ),
);

const DILATION_PARAM: IntsParam = pairParam(
  'dilation',
  [1, 1],
  1,
  text('Dilation [h, w]', 'ダイレーション [h, w]'),
  text(
    'Spacing between kernel taps. Dilation 2 makes a 3×3 kernel cover 5×5 with the same 9 weights (a larger receptive field for free).',
    'カーネルの各点の間隔です。2 にすると 3×3 のカーネルが同じ 9 個の重みのまま 5×5 の範囲を覆います（受容野を無償で広げられます）。',
  ),
);

// A type alias, not an interface: node params must be assignable to `Params`, and only
// object type aliases get an implicit index signature.
type WindowParams = {
  readonly kernel: readonly number[];
  readonly stride: readonly number[];
  readonly padding: string;
  readonly pad: readonly number[];
};

/** A two-entry param read defensively: a hand-edited file may hold a shorter list. */
function pair(values: readonly number[], fallback: number): [number, number] {
  const first = values[0] ?? fallback;
  return [first, values[1] ?? first];
}

/** Padding before and after along one axis. */
function padsAlong(padding: string, pad: number, size: number, kernel: number, stride: number, dilation: number): [number, number] {
  if (padding === 'same') return samePadding(size, kernel, stride, dilation);
  if (padding === 'explicit') return [pad, pad];
  return [0, 0];
}

interface Window {
  readonly height: number;
  readonly width: number;
}

/**
 * Output height and width of a sliding window over an image [C,H,W], or SHAPE_TOO_SMALL when
 * the (dilated) kernel does not fit even once.
 */
function slideWindow(node: string, image: Shape, params: WindowParams, dilation: readonly number[] = [1, 1]): Window | ShapeFault {
  const [, height = 0, width = 0] = image;
  const [kh, kw] = pair(params.kernel, 1);
  const [sh, sw] = pair(params.stride, 1);
  const [ph, pw] = pair(params.pad, 0);
  const [dh, dw] = pair(dilation, 1);
  const padH = padsAlong(params.padding, ph, height, kh, sh, dh);
  const padW = padsAlong(params.padding, pw, width, kw, sw, dw);
  const outH = windowOutput(height, kh, sh, padH[0], padH[1], dh);
  const outW = windowOutput(width, kw, sw, padW[0], padW[1], dw);
  if (outH > 0 && outW > 0) return { height: outH, width: outW };

  const spanH = dh * (kh - 1) + 1;
  const spanW = dw * (kw - 1) + 1;
  const dilated = dh > 1 || dw > 1 ? ` (dilated to ${spanH}×${spanW})` : '';
  const dilatedJa = dh > 1 || dw > 1 ? `（ダイレーションで ${spanH}×${spanW}）` : '';
  const padded = `${height + padH[0] + padH[1]}×${width + padW[0] + padW[1]}`;
  return fault(
    'SHAPE_TOO_SMALL',
    { param: 'kernel' },
    text(
      `${node}: the ${kh}×${kw} kernel${dilated} does not fit the input ${formatShape(image)}, which is ${padded} after “${params.padding}” padding; there would be no output positions.`,
      `${node}: ${kh}×${kw} のカーネル${dilatedJa}が入力 ${formatShape(image)} に収まりません。「${params.padding}」パディング後の大きさは ${padded} で、出力の位置が 1 つもありません。`,
    ),
    text(
      'Use padding “same”, a smaller kernel, or fewer pooling / stride-2 layers before this node so the image is still large enough here.',
      'パディングを「same」にするか、カーネルを小さくするか、このノードより前のプーリング層やストライド 2 の層を減らして、ここでの画像を十分な大きさに保ってください。',
    ),
  );
}

// ---------------------------------------------------------------------------------------------
// Conv2D

type Conv2DParams = WindowParams & {
  readonly filters: number;
  readonly dilation: readonly number[];
  readonly groups: number;
  readonly bias: boolean;
};

/** Weights one filter sees: (C / groups) input channels × kh × kw. */
function weightsPerFilter(channels: number, params: Conv2DParams): number {
  const [kh, kw] = pair(params.kernel, 1);
  return Math.floor(channels / params.groups) * kh * kw;
}

const FILTERS_PARAM: IntParam = {
  name: 'filters',
  kind: 'int',
  default: 16,
  min: 1,
  max: 4096,
  label: text('Filters', 'フィルタ数'),
  help: text(
    'Number of filters, which is the number of output channels (feature maps). Doubling it doubles the weights and the compute.',
    'フィルタの数で、出力チャンネル（特徴マップ）の数になります。2 倍にすると重みも計算量も 2 倍になります。',
  ),
};

const GROUPS_PARAM: IntParam = {
  name: 'groups',
  kind: 'int',
  default: 1,
  min: 1,
  max: 4096,
  label: text('Groups', 'グループ数'),
  help: text(
    'Split input and output channels into this many independent groups; each filter sees only C / groups input channels. 1 is an ordinary convolution; groups = C = filters is a depthwise convolution (MobileNet). C and filters must both be divisible by it.',
    '入力と出力のチャンネルをこの数の独立したグループに分けます。各フィルタは C / groups 個の入力チャンネルだけを見ます。1 なら通常の畳み込み、groups = C = フィルタ数なら depthwise 畳み込み（MobileNet）です。C とフィルタ数はどちらもこの値で割り切れる必要があります。',
  ),
};

const conv2d = defineNode<Conv2DParams>({
  type: 'Conv2D',
  family: 'convolution',
  role: 'layer',
  label: text('Conv2D', '畳み込み層（Conv2D）'),
  summary: text('Slides learned filters over an image to detect local patterns.', '学習したフィルタを画像上でスライドさせ、局所的なパターンを検出します。'),
  explanation: text(
    'A convolution layer slides each filter (a small kh × kw window of weights spanning all input channels) across the image; at every position it multiplies the window by the weights and sums them, producing one feature map per filter. ' +
      'Because the same weights are reused at every position (weight sharing), a Conv2D layer has far fewer parameters than a Dense layer on the same image, and it detects a pattern wherever it appears. Early layers learn edges and colours, deeper ones textures and parts. ' +
      'The output size per axis is ⌊(H + padding − dilation·(k − 1) − 1) / stride⌋ + 1: “same” padding keeps the size at stride 1, stride 2 halves it. Use He initialisation with ReLU. ' +
      'Pitfall: every “valid” convolution and every pooling layer shrinks the image; on a small input like 28×28 a deep stack can run out of pixels.',
    '畳み込み層は、各フィルタ（全入力チャンネルにまたがる kh × kw の小さな重みの窓）を画像上でスライドさせ、各位置で窓の値と重みを掛けて足し合わせ、フィルタごとに 1 枚の特徴マップを出力します。' +
      'すべての位置で同じ重みを使う（重み共有）ため、同じ画像に対する Dense 層よりパラメータがはるかに少なく、パターンが画像のどこにあっても検出できます。浅い層はエッジや色を、深い層はテクスチャや物体の部品を学習します。' +
      '各軸の出力の大きさは ⌊(H + パディング − ダイレーション·(k − 1) − 1) / ストライド⌋ + 1 です。「same」パディングならストライド 1 で大きさが保たれ、ストライド 2 で半分になります。ReLU と組み合わせるときは He の初期値を使います。' +
      '注意点: 「valid」の畳み込みやプーリング層を通るたびに画像は小さくなります。28×28 のような小さな入力では、深く重ねると画素が足りなくなります。',
  ),
  formula:
    'y_{f,i,j} = b_f + \\sum_{c}\\sum_{u,v} w_{f,c,u,v}\\, x_{c,\\, iS_h + uD_h - P_h,\\, jS_w + vD_w - P_w},\\qquad ' +
    'H_{out} = \\left\\lfloor \\frac{H + P_{top} + P_{bottom} - D_h (K_h - 1) - 1}{S_h} \\right\\rfloor + 1',
  params: [
    FILTERS_PARAM,
    kernelParam([3, 3]),
    strideParam([1, 1]),
    PADDING_PARAM,
    PAD_PARAM,
    DILATION_PARAM,
    GROUPS_PARAM,
    BIAS_PARAM,
  ],
  inputs: singleInput,
  outputs: SINGLE_OUTPUT,
  infer: (inputs, params) => {
    const image = portShape(inputs);
    if (image.length !== 3) return needsImageFault('Conv2D', 'in', image);
    const [channels = 0] = image;
    if (channels % params.groups !== 0 || params.filters % params.groups !== 0) {
      return fault(
        'SHAPE_CHANNELS',
        { param: 'groups' },
        text(
          `Conv2D: groups = ${params.groups} must divide both the input channels (C = ${channels} in ${formatShape(image)}) and the filters (${params.filters}).`,
          `Conv2D: groups = ${params.groups} は入力チャンネル数（${formatShape(image)} の C = ${channels}）とフィルタ数（${params.filters}）の両方を割り切る必要があります。`,
        ),
        text(
          `Set groups to a common divisor of ${channels} and ${params.filters} (1 always works), or change the number of filters.`,
          `groups を ${channels} と ${params.filters} の公約数にするか（1 なら必ず動きます）、フィルタ数を変えてください。`,
        ),
      );
    }
    const window = slideWindow('Conv2D', image, params, params.dilation);
    if (isShapeFault(window)) return window;
    return [[params.filters, window.height, window.width]];
  },
  paramCount: (inputs, params) => {
    const channels = portShape(inputs)[0] ?? 0;
    return params.filters * weightsPerFilter(channels, params) + (params.bias ? params.filters : 0);
  },
  // One multiply-add (2 FLOPs) per weight per output position, plus one bias add per output value.
  flops: (inputs, outputs, params) => {
    const channels = portShape(inputs)[0] ?? 0;
    const out = outputs[0] ?? [];
    const positions = (out[1] ?? 0) * (out[2] ?? 0);
    return 2 * params.filters * weightsPerFilter(channels, params) * positions + (params.bias ? params.filters * positions : 0);
  },
});

// ---------------------------------------------------------------------------------------------
// Pooling

/**
 * Explicit padding as wide as the kernel would create windows that see only padding (a max of
 * −∞, an average of nothing), which poisons training with infinities or NaN.
 */
function padWiderThanKernel(node: string, params: WindowParams): ShapeFault | undefined {
  if (params.padding !== 'explicit') return undefined;
  const [kh, kw] = pair(params.kernel, 1);
  const [ph, pw] = pair(params.pad, 0);
  if (ph < kh && pw < kw) return undefined;
  return fault(
    'SHAPE_TOO_SMALL',
    { param: 'pad' },
    text(
      `${node}: pad [${ph},${pw}] is not smaller than the kernel [${kh},${kw}], so some windows would contain only padding and no input.`,
      `${node}: パディング幅 [${ph},${pw}] がカーネル [${kh},${kw}] 以上なので、入力を 1 つも含まずパディングだけの窓ができてしまいます。`,
    ),
    text(
      `Keep each pad below the kernel size (at most [${kh - 1},${kw - 1}]), or use padding “same”.`,
      `パディング幅はカーネルより小さく（最大 [${kh - 1},${kw - 1}]）するか、パディングを「same」にしてください。`,
    ),
  );
}

/** Shape rule shared by the pooling layers: channels kept, height and width windowed. */
function poolInfer(node: string) {
  return (inputs: PortShapes, params: WindowParams) => {
    const image = portShape(inputs);
    if (image.length !== 3) return needsImageFault(node, 'in', image);
    const padFault = padWiderThanKernel(node, params);
    if (padFault) return padFault;
    const window = slideWindow(node, image, params);
    if (isShapeFault(window)) return window;
    const [channels = 0] = image;
    return [[channels, window.height, window.width]];
  };
}

/** Window size kh × kw: the number of inputs behind each pooled output. */
function windowArea(params: WindowParams): number {
  const [kh, kw] = pair(params.kernel, 1);
  return kh * kw;
}

const POOL_WINDOW_PARAMS = [kernelParam([2, 2]), strideParam([2, 2]), PADDING_PARAM, PAD_PARAM] as const;

const maxPool = defineNode<WindowParams>({
  type: 'MaxPool',
  family: 'convolution',
  role: 'layer',
  label: text('Max pooling', '最大プーリング'),
  summary: text('Keeps the largest value in each window: downsamples the image.', '各窓の最大値を残して画像を縮小します。'),
  explanation: text(
    'Max pooling slides a window over each channel separately and keeps only the largest value. With the default 2×2 window and stride 2 it halves the height and width, cutting the work of later layers by four while keeping the strongest responses. ' +
      'It makes the network tolerant of small shifts of a feature inside the window, and has no weights to learn. During backpropagation the gradient flows only to the position that held the maximum. ' +
      'Pitfall: each pooling layer halves the image; on 28×28 inputs, more than three or four of them leave nothing to pool.',
    '最大プーリングは、チャンネルごとに窓をスライドさせ、窓の中の最大値だけを残します。既定の 2×2 の窓とストライド 2 では高さと幅が半分になり、最も強い反応を保ったまま後ろの層の計算量を 4 分の 1 にします。' +
      '窓の中での特徴の小さなずれに強くなり、学習する重みはありません。誤差逆伝播では、最大値だった位置にだけ勾配が流れます。' +
      '注意点: プーリング層を通るたびに画像は半分になります。28×28 の入力では、3〜4 層を超えるとプーリングする画素がなくなります。',
  ),
  formula: 'y_{c,i,j} = \\max_{(u,v) \\in \\text{window}(i,j)} x_{c,u,v}',
  params: POOL_WINDOW_PARAMS,
  inputs: singleInput,
  outputs: SINGLE_OUTPUT,
  infer: poolInfer('MaxPool'),
  paramCount: () => 0,
  // kh·kw per output value: one comparison per value read (kh·kw − 1, rounded up like AvgPool).
  flops: (_inputs, outputs, params) => windowArea(params) * sizeOf(outputs[0] ?? []),
});

const avgPool = defineNode<WindowParams>({
  type: 'AvgPool',
  family: 'convolution',
  role: 'layer',
  label: text('Average pooling', '平均プーリング'),
  summary: text('Averages each window: a smooth way to downsample.', '各窓の平均をとって、滑らかに画像を縮小します。'),
  explanation: text(
    'Average pooling slides a window over each channel and outputs the mean of the values in it. Like max pooling it shrinks the image (2×2 with stride 2 halves it) and has no weights, but it keeps a summary of the whole window rather than its strongest response; LeNet used this kind of subsampling. ' +
      'Padded positions are left out of the average, so border outputs are not dragged towards 0. ' +
      'Pitfall: averaging blurs sharp, sparse features; for detecting whether a pattern is present anywhere in a window, max pooling usually works better.',
    '平均プーリングは、チャンネルごとに窓をスライドさせ、窓の中の値の平均を出力します。最大プーリングと同じく画像を縮小し（2×2・ストライド 2 で半分）、重みもありませんが、最も強い反応ではなく窓全体の要約を残します。LeNet もこの種のサブサンプリングを使っていました。' +
      'パディングした位置は平均に含めないので、端の出力が 0 の側に引っ張られることはありません。' +
      '注意点: 平均をとるとシャープで疎な特徴がぼやけます。窓のどこかにパターンがあるかどうかを捉えたい場合は、ふつう最大プーリングのほうが適しています。',
  ),
  formula: 'y_{c,i,j} = \\frac{1}{|\\text{window}(i,j)|} \\sum_{(u,v) \\in \\text{window}(i,j)} x_{c,u,v}',
  params: POOL_WINDOW_PARAMS,
  inputs: singleInput,
  outputs: SINGLE_OUTPUT,
  infer: poolInfer('AvgPool'),
  paramCount: () => 0,
  // kh·kw − 1 adds and one divide per output value.
  flops: (_inputs, outputs, params) => windowArea(params) * sizeOf(outputs[0] ?? []),
});

type LpPoolParams = WindowParams & { readonly p: number };

const P_PARAM: FloatParam = {
  name: 'p',
  kind: 'float',
  default: 2,
  min: 1,
  max: 16,
  label: text('Order p', '次数 p'),
  help: text(
    'p = 1 sums absolute values (proportional to average pooling on non-negative inputs); p = 2 is L2 pooling; as p grows the result approaches max pooling.',
    'p = 1 なら絶対値の和（非負の入力では平均プーリングに比例）、p = 2 なら L2 プーリングで、p を大きくするほど最大プーリングに近づきます。',
  ),
};

const lpPool = defineNode<LpPoolParams>({
  type: 'LpPool',
  family: 'convolution',
  role: 'layer',
  label: text('Lp pooling', 'Lp プーリング'),
  summary: text('The p-norm of each window: between average (p = 1) and max (p → ∞) pooling.', '各窓の p ノルムをとります。平均（p = 1）と最大（p → ∞）の中間のプーリングです。'),
  explanation: text(
    'Lp pooling outputs the p-norm of each window, (Σ|x|ᵖ)^(1/p). The order p moves it continuously between summing (p = 1) and taking the maximum (p → ∞); p = 2 (L2 pooling) is the common choice and is related to models of complex cells in the visual cortex. ' +
      'Use it to compare pooling methods on the same network, or where you want a softer maximum that still passes gradient to every input in the window. ' +
      'Pitfall: the powers make it more expensive than max or average pooling, and large p can overflow on large activations.',
    'Lp プーリングは、各窓の p ノルム (Σ|x|ᵖ)^(1/p) を出力します。次数 p によって、和（p = 1）から最大値（p → ∞）まで連続的に変わります。よく使われるのは p = 2（L2 プーリング）で、視覚野の複雑型細胞のモデルとも関係があります。' +
      '同じネットワークでプーリング方法を比べたいときや、窓内のすべての入力に勾配を流す「柔らかい最大値」が欲しいときに使います。' +
      '注意点: べき乗の計算があるので最大・平均プーリングより重く、p が大きいと大きな活性化でオーバーフローすることがあります。',
  ),
  formula: 'y_{c,i,j} = \\Big(\\sum_{(u,v) \\in \\text{window}(i,j)} |x_{c,u,v}|^{p}\\Big)^{1/p}',
  params: [...POOL_WINDOW_PARAMS, P_PARAM],
  inputs: singleInput,
  outputs: SINGLE_OUTPUT,
  infer: poolInfer('LpPool'),
  paramCount: () => 0,
  // Per output value: kh·kw powers and kh·kw adds, then one root.
  flops: (_inputs, outputs, params) => (2 * windowArea(params) + 1) * sizeOf(outputs[0] ?? []),
});

const globalAvgPool = defineNode({
  type: 'GlobalAvgPool',
  family: 'convolution',
  role: 'layer',
  label: text('Global average pooling', 'グローバル平均プーリング（GAP）'),
  summary: text('Averages each whole channel to one number: [C,H,W] → [C].', '各チャンネル全体を 1 つの値に平均します: [C,H,W] → [C]。'),
  explanation: text(
    'Global average pooling replaces each feature map by its mean, turning an image [C,H,W] into a vector [C] with one value per channel. ' +
      'It is the usual bridge from convolutions to the classifier in modern CNNs (Network in Network, the all-convolutional net, ResNet): instead of Flatten followed by a huge Dense layer, it has no weights at all, so it saves parameters, reduces overfitting and works for any input size. ' +
      'Pitfall: all spatial layout is averaged away, so the last convolution must already encode what the classifier needs (often by giving it one channel per class).',
    'グローバル平均プーリングは、各特徴マップをその平均値で置き換え、画像 [C,H,W] をチャンネルごとに 1 つの値をもつベクトル [C] に変えます。' +
      '現在の CNN（Network in Network、All Convolutional Net、ResNet）で、畳み込み部分から分類器へのつなぎとしてよく使われます。Flatten の後に巨大な Dense 層を置く代わりに使え、重みがまったくないのでパラメータを節約し、過学習を抑え、どんな入力サイズにも対応できます。' +
      '注意点: 空間的な配置はすべて平均で消えるので、最後の畳み込み層の時点で分類に必要な情報が表現されていなければなりません（クラスごとに 1 チャンネルにすることもよくあります）。',
  ),
  formula: 'y_c = \\frac{1}{HW} \\sum_{i=1}^{H} \\sum_{j=1}^{W} x_{c,i,j}',
  params: [],
  inputs: singleInput,
  outputs: SINGLE_OUTPUT,
  infer: (inputs) => {
    const image = portShape(inputs);
    if (image.length !== 3) return needsImageFault('GlobalAvgPool', 'in', image);
    const [channels = 0] = image;
    return [[channels]];
  },
  paramCount: () => 0,
  // C·(H·W − 1) adds plus C divides = C·H·W.
  flops: (inputs) => sizeOf(portShape(inputs)),
});

const flatten = defineNode({
  type: 'Flatten',
  family: 'convolution',
  role: 'layer',
  label: text('Flatten', '平坦化（Flatten）'),
  summary: text('Lines all values of a sample up into one vector: [C,H,W] → [C·H·W].', '1 サンプルのすべての値を 1 本のベクトルに並べます: [C,H,W] → [C·H·W]。'),
  explanation: text(
    'Flatten reshapes each sample into a vector, so an image [C,H,W] can feed a Dense layer. Nothing is computed; the values are read in row-major order (channel, then row, then column), the same order as NumPy, PyTorch and ONNX. ' +
      'Use it between the convolution part of a CNN and its Dense classifier. ' +
      'Pitfall: the flattened vector can be large (64 channels of 14×14 is 12,544 values), and the following Dense layer then has 12,544 × units weights; GlobalAvgPool is a much smaller alternative.',
    'Flatten は各サンプルを 1 本のベクトルに変形し、画像 [C,H,W] を Dense 層に入力できるようにします。計算は行わず、値は行優先の順序（チャンネル、行、列の順）で読み出します。NumPy・PyTorch・ONNX と同じ順序です。' +
      'CNN の畳み込み部分と Dense の分類器の間に置きます。' +
      '注意点: 平坦化したベクトルは大きくなりがちです（14×14 の 64 チャンネルなら 12,544 個）。続く Dense 層の重みは 12,544 × ユニット数になるので、はるかに小さい GlobalAvgPool も検討しましょう。',
  ),
  formula: 'y_{(c \\cdot H + i) \\cdot W + j} = x_{c,i,j}',
  params: [],
  inputs: singleInput,
  outputs: SINGLE_OUTPUT,
  infer: (inputs) => {
    const shape = portShape(inputs);
    if (shape.length === 0) return needsAxesFault('Flatten', 'in', shape);
    return [[sizeOf(shape)]];
  },
  paramCount: () => 0,
  flops: () => 0,
});

// ---------------------------------------------------------------------------------------------
// Reshape

type ReshapeParams = { readonly shape: readonly number[] };

function reshapeFault(message: Text, hint: Text): ShapeFault {
  return fault('SHAPE_RESHAPE', { param: 'shape' }, message, hint);
}

/** The target shape with its one −1 filled in, or the reason it cannot be. */
function resolveReshape(input: Shape, target: readonly number[]): readonly Shape[] | ShapeFault {
  const have = sizeOf(input);
  const shown = formatShape(target);
  if (target.some((d) => !Number.isInteger(d) || d === 0 || d < -1)) {
    return reshapeFault(
      text(
        `Reshape: ${shown} contains a size that is not allowed; each entry must be a positive size or −1.`,
        `Reshape: ${shown} に使えない大きさが含まれています。各要素は正の大きさか −1 でなければなりません。`,
      ),
      text('Replace 0 or negative entries by the size you want, or by −1 for the one axis to infer.', '0 や負の要素を目的の大きさにするか、推定させたい 1 つの軸だけを −1 にしてください。'),
    );
  }
  const inferred = target.filter((d) => d === -1).length;
  if (inferred > 1) {
    return reshapeFault(
      text(`Reshape: ${shown} has ${inferred} entries of −1, but only one axis can be inferred.`, `Reshape: ${shown} には −1 が ${inferred} 個ありますが、推定できる軸は 1 つだけです。`),
      text('Write the size of all axes but one.', '1 つを除くすべての軸の大きさを書いてください。'),
    );
  }
  const known = target.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  if (inferred === 1) {
    if (have % known !== 0) {
      return reshapeFault(
        text(
          `Reshape: the input ${formatShape(input)} has ${have} elements per sample, which cannot be split into ${shown}: ${have} is not a multiple of ${known}.`,
          `Reshape: 入力 ${formatShape(input)} は 1 サンプルあたり ${have} 要素で、${shown} には分けられません（${have} は ${known} の倍数ではありません）。`,
        ),
        text(
          `Choose fixed sizes whose product divides ${have}.`,
          `積が ${have} を割り切るように、固定の大きさを選んでください。`,
        ),
      );
    }
    return [target.map((d) => (d === -1 ? have / known : d))];
  }
  if (known !== have) {
    return reshapeFault(
      text(
        `Reshape: ${shown} holds ${known} elements per sample, but the input ${formatShape(input)} has ${have}.`,
        `Reshape: ${shown} は 1 サンプルあたり ${known} 要素ですが、入力 ${formatShape(input)} は ${have} 要素です。`,
      ),
      text(
        `Pick sizes whose product is ${have}, or put −1 on one axis to infer it.`,
        `積が ${have} になる大きさを選ぶか、1 つの軸を −1 にして自動で求めさせてください。`,
      ),
    );
  }
  return [[...target]];
}

const reshape = defineNode<ReshapeParams>({
  type: 'Reshape',
  family: 'convolution',
  role: 'layer',
  label: text('Reshape', '形状変換（Reshape）'),
  summary: text('Reads the same values with a new shape, e.g. [784] → [1,28,28].', '同じ値を別の形状として読み直します（例: [784] → [1,28,28]）。'),
  explanation: text(
    'Reshape keeps every value and its order (row-major) but changes how they are grouped into axes. Its main use is turning a flat vector back into an image — MNIST stored as [784] becomes [1,28,28] for a Conv2D — or regrouping features into a sequence. ' +
      'One entry may be −1: that axis gets whatever size makes the element count match. The batch axis N is never part of the shape. ' +
      'Pitfall: the element count must match exactly, and reshaping is not transposing — [H,W] read as [W,H] scrambles the image rather than rotating it.',
    'Reshape は値とその順序（行優先）をそのまま保ち、軸へのまとめ方だけを変えます。主な用途は、平坦なベクトルを画像に戻すことです。[784] として保存された MNIST を Conv2D 用に [1,28,28] にしたり、特徴量を系列にまとめ直したりします。' +
      '1 つの要素だけ −1 にでき、その軸は要素数が合う大きさに自動で決まります。バッチ軸 N は形状に含めません。' +
      '注意点: 要素数は正確に一致しなければなりません。また変形は転置ではないので、[H,W] を [W,H] として読むと画像は回転せず、ばらばらになります。',
  ),
  formula: 'y = \\mathrm{reshape}(x,\\, [d_1, \\dots, d_k]),\\qquad \\prod_k d_k = \\prod_k d_k^{\\mathrm{in}}',
  params: [
    {
      name: 'shape',
      kind: 'ints',
      default: [1, 28, 28],
      minLength: 1,
      maxLength: 3,
      min: -1,
      max: 65536,
      label: text('Shape', '形状'),
      help: text(
        'New per-sample shape, without the batch axis. One entry may be −1 to infer it; 0 is not allowed. Example: [1,28,28] for a 784-vector.',
        'バッチ軸を除いた新しい 1 サンプルの形状です。1 つだけ −1 にして自動で求めさせることができます。0 は使えません。例: 784 次元のベクトルなら [1,28,28]。',
      ),
    },
  ],
  inputs: singleInput,
  outputs: SINGLE_OUTPUT,
  infer: (inputs, params) => resolveReshape(portShape(inputs), params.shape),
  paramCount: () => 0,
  flops: () => 0,
});

export const convolutionNodes: readonly NodeSpec[] = [conv2d, maxPool, avgPool, lpPool, globalAvgPool, flatten, reshape];
