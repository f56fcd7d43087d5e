// The regularization family (正則化): Dropout, batch normalization and AlexNet's local response
// normalization. All keep the input's shape; only BatchNorm has trainable parameters (γ, β).

import { sizeOf } from '../shape.js';
import { text } from '../text.js';
import { needsAxesFault, needsImageFault, portShape, SINGLE_OUTPUT, singleInput } from './common.js';
import { defineNode, type NodeSpec } from './types.js';

type DropoutParams = { readonly rate: number };

const dropout = defineNode<DropoutParams>({
  type: 'Dropout',
  family: 'regularization',
  role: 'layer',
  label: text('Dropout', 'ドロップアウト'),
  summary: text('During training, randomly zeroes a fraction of the values.', '学習中、値の一部をランダムに 0 にします。'),
  explanation: text(
    'At every training step Dropout sets each value to 0 with probability p (the drop rate) and scales the survivors by 1/(1 − p), so the expected sum is unchanged ("inverted dropout"). At inference it does nothing. ' +
      'Because no unit can rely on any particular other unit, the network learns redundant features and overfits less; it behaves like training many thinned networks and averaging them. ' +
      'Use it after the large Dense layers of a classifier (AlexNet and VGG use 0.5) when the validation loss rises while the training loss keeps falling. ' +
      'Pitfall: training becomes noisier and slower, and training accuracy is measured with dropout on, so it can read lower than validation accuracy.',
    'ドロップアウトは、学習の各ステップで各値を確率 p（ドロップ率）で 0 にし、残った値を 1/(1 − p) 倍して期待値を変えないようにします（inverted dropout）。推論時には何もしません。' +
      'どのユニットも特定の他のユニットに頼れなくなるため、ネットワークは冗長な特徴を学び、過学習しにくくなります。ノードを間引いた多数のネットワークを学習して平均するのと似た効果があります。' +
      '学習誤差は下がり続けるのに検証誤差が上がり始めたとき、分類器の大きな Dense 層の後に入れます（AlexNet や VGG では 0.5）。' +
      '注意点: 学習がノイズを含んで遅くなります。また、学習時の正解率はドロップアウトをかけた状態で測るので、検証の正解率より低く見えることがあります。',
  ),
  formula: 'y = \\frac{m \\odot x}{1 - p},\\qquad m_i \\sim \\mathrm{Bernoulli}(1 - p)',
  params: [
    {
      name: 'rate',
      kind: 'float',
      default: 0.5,
      min: 0,
      max: 1,
      maxExclusive: true,
      label: text('Drop rate p', 'ドロップ率 p'),
      help: text(
        'Probability that each value is set to 0 during training. 0.5 for large Dense layers, 0.1–0.3 after convolutions; 0 turns Dropout off.',
        '学習中に各値を 0 にする確率です。大きな Dense 層の後なら 0.5、畳み込み層の後なら 0.1〜0.3 が目安です。0 にすると無効になります。',
      ),
    },
  ],
  inputs: singleInput,
  outputs: SINGLE_OUTPUT,
  infer: (inputs) => [portShape(inputs)],
  paramCount: () => 0,
  // One multiply by the (pre-scaled) mask per element.
  flops: (inputs) => sizeOf(portShape(inputs)),
});

type BatchNormParams = { readonly momentum: number; readonly epsilon: number };

const batchNorm = defineNode<BatchNormParams>({
  type: 'BatchNorm',
  family: 'regularization',
  role: 'layer',
  label: text('Batch normalization', 'バッチ正規化'),
  summary: text('Normalises each channel to mean 0, variance 1 over the mini-batch, then scales and shifts.', 'チャンネルごとにミニバッチで平均 0・分散 1 に正規化し、拡大とシフトを加えます。'),
  explanation: text(
    'Batch normalization standardises each channel (each feature of a vector [F], each channel of an image [C,H,W] over all its positions) using the mean and variance of the current mini-batch, then applies a learned scale γ and shift β. ' +
      'Keeping every layer’s inputs in a steady range lets you use larger learning rates, makes training less sensitive to weight initialisation, counters vanishing gradients and regularises slightly. It usually sits between a Dense or Conv2D layer and its activation (turn off that layer’s bias; β replaces it). ' +
      'During training it also keeps running averages of the mean and variance; at inference those are used instead of batch statistics. ' +
      'Pitfall: with very small mini-batches (a few samples) the batch statistics are noisy and results get worse.',
    'バッチ正規化は、各チャンネル（ベクトル [F] なら各特徴量、画像 [C,H,W] なら全位置をまとめた各チャンネル）を、現在のミニバッチの平均と分散で標準化し、学習可能な拡大率 γ とシフト β をかけます。' +
      '各層への入力を安定した範囲に保つので、大きな学習率を使えるようになり、重みの初期値に左右されにくくなり、勾配消失を抑え、弱い正則化の効果もあります。ふつうは Dense や Conv2D とその活性化関数の間に置きます（その層のバイアスはオフにします。β が代わりを務めます）。' +
      '学習中は平均と分散の移動平均も記録し、推論時にはバッチの統計量の代わりにそれを使います。' +
      '注意点: ミニバッチがごく小さい（数サンプル）と統計量がばらつき、かえって性能が落ちます。',
  ),
  formula: '\\hat{x} = \\frac{x - \\mu_B}{\\sqrt{\\sigma_B^2 + \\varepsilon}},\\qquad y = \\gamma \\hat{x} + \\beta',
  params: [
    {
      name: 'momentum',
      kind: 'float',
      default: 0.9,
      min: 0,
      max: 1,
      label: text('Momentum', 'モメンタム'),
      help: text(
        'Weight of the old value in the running averages used at inference: running = momentum·running + (1 − momentum)·batch. (PyTorch’s momentum is 1 minus this.)',
        '推論時に使う移動平均で、古い値にかける重みです: 移動平均 = momentum·移動平均 + (1 − momentum)·バッチの値。（PyTorch の momentum は 1 からこの値を引いたものです。）',
      ),
    },
    {
      name: 'epsilon',
      kind: 'float',
      default: 1e-5,
      min: 0,
      minExclusive: true,
      max: 1,
      label: text('Epsilon ε', 'イプシロン ε'),
      help: text(
        'Small number added to the variance so a channel with (almost) no variance is not divided by 0.',
        '分散がほぼ 0 のチャンネルで 0 除算にならないよう、分散に加える小さな値です。',
      ),
    },
  ],
  inputs: singleInput,
  outputs: SINGLE_OUTPUT,
  infer: (inputs) => {
    const shape = portShape(inputs);
    if (shape.length === 0) return needsAxesFault('BatchNorm', 'in', shape);
    return [shape];
  },
  // γ and β per channel; the running mean and variance are state, not trainable, so not counted.
  paramCount: (inputs) => 2 * (portShape(inputs)[0] ?? 0),
  // Inference form: the normalisation folds into one multiply and one add per element.
  flops: (inputs) => 2 * sizeOf(portShape(inputs)),
});

type LrnParams = { readonly size: number; readonly alpha: number; readonly beta: number; readonly k: number };

const lrn = defineNode<LrnParams>({
  type: 'LRN',
  family: 'regularization',
  role: 'layer',
  label: text('Local response normalization', '局所応答正規化（LRN）'),
  summary: text('AlexNet’s normalisation: divides each value by the activity of neighbouring channels.', 'AlexNet の正規化: 各値を近くのチャンネルの活動の大きさで割ります。'),
  explanation: text(
    'Local response normalization divides each value by a power of the summed squares of the same position in n (“size”) neighbouring channels. A strongly active channel thus damps its neighbours, a form of "lateral inhibition" borrowed from real neurons. ' +
      'AlexNet (2012) placed it after the ReLU of its first two convolution layers, with n = 5, α = 10⁻⁴, β = 0.75, k = 2; use it to reproduce that network. ' +
      'Pitfall: later work found little benefit, and batch normalization has replaced it in modern networks. Here α multiplies the sum directly as in the AlexNet paper; PyTorch and ONNX divide α by n, so their α is n times ours.',
    '局所応答正規化は、各値を、近くの n 個（「サイズ」）のチャンネルの同じ位置の値の二乗和のべき乗で割ります。強く活動したチャンネルが近くのチャンネルを抑える、実際のニューロンの「側抑制」を模した仕組みです。' +
      'AlexNet（2012 年）は最初の 2 つの畳み込み層の ReLU の後に、n = 5、α = 10⁻⁴、β = 0.75、k = 2 で使いました。このネットワークを再現するときに使います。' +
      '注意点: その後の研究ではあまり効果がないとされ、現在のネットワークではバッチ正規化に置き換えられています。ここでは AlexNet の論文どおり α を二乗和に直接掛けます。PyTorch や ONNX は α を n で割るので、それらの α はここでの値の n 倍になります。',
  ),
  formula:
    'y_{c} = x_{c} \\Big/ \\left(k + \\alpha \\sum_{j=\\max(0,\\, c - \\lfloor (n-1)/2 \\rfloor)}^{\\min(C-1,\\, c + \\lceil (n-1)/2 \\rceil)} x_{j}^2\\right)^{\\beta}',
  params: [
    {
      name: 'size',
      kind: 'int',
      default: 5,
      min: 1,
      max: 15,
      label: text('Size n (channels)', 'サイズ n（チャンネル数）'),
      help: text(
        'How many neighbouring channels, including the channel itself, enter the sum. Use an odd number so the window is centred; an even size puts the extra channel after (as ONNX does).',
        '二乗和に含める近傍チャンネルの数（自分自身を含む）です。窓が中央にそろうよう奇数にしてください。偶数の場合は、余る 1 チャンネルを後ろ側に含めます（ONNX と同じ）。',
      ),
    },
    {
      name: 'alpha',
      kind: 'float',
      default: 1e-4,
      min: 0,
      max: 1,
      label: text('α (scale)', 'α（係数）'),
      help: text(
        'Scale of the sum of squares (not divided by n, as in the AlexNet paper).',
        '二乗和にかける係数です（AlexNet の論文どおり、n では割りません）。',
      ),
    },
    {
      name: 'beta',
      kind: 'float',
      default: 0.75,
      min: 0,
      max: 4,
      label: text('β (exponent)', 'β（指数）'),
      help: text('Exponent of the denominator; larger β means stronger inhibition.', '分母の指数です。大きいほど抑制が強くなります。'),
    },
    {
      name: 'k',
      kind: 'float',
      default: 2,
      min: 0,
      max: 10,
      label: text('k (offset)', 'k（オフセット）'),
      help: text(
        'Constant added inside the denominator; it keeps the division stable when neighbours are quiet.',
        '分母に加える定数です。近くのチャンネルの活動が小さいときにも割り算を安定させます。',
      ),
    },
  ],
  inputs: singleInput,
  outputs: SINGLE_OUTPUT,
  infer: (inputs) => {
    const shape = portShape(inputs);
    if (shape.length !== 3) return needsImageFault('LRN', 'in', shape);
    return [shape];
  },
  paramCount: () => 0,
  // Per element: n squares and n − 1 adds for the window sum, then α·sum + k as one
  // multiply-add (2), the power (1) and the divide (1): 2n + 3.
  flops: (inputs, _outputs, params) => (2 * params.size + 3) * sizeOf(portShape(inputs)),
});

export const regularizationNodes: readonly NodeSpec[] = [dropout, batchNorm, lrn];
