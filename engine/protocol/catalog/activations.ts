// The activation family (活性化関数): elementwise non-linearities and Softmax. All of them keep
// the input's shape and have no trainable parameters; `elementwise` below builds the shared parts
// so each entry only states its maths and its teaching text.

import { sizeOf } from '../shape.js';
import { text, type Text } from '../text.js';
import { axisFault, portShape, resolveAxis, SINGLE_OUTPUT, singleInput } from './common.js';
import { defineNode, type FloatParam, type NodeSpec, type ParamSpec, type Params } from './types.js';

interface ElementwiseText {
  readonly type: string;
  readonly label: Text;
  readonly summary: Text;
  readonly explanation: Text;
  readonly formula: string;
  readonly params?: readonly ParamSpec[];
}

/** A shape-preserving activation costing one FLOP per element (an elementwise function). */
function elementwise(spec: ElementwiseText): NodeSpec {
  return defineNode<Params>({
    ...spec,
    family: 'activation',
    role: 'layer',
    params: spec.params ?? [],
    inputs: singleInput,
    outputs: SINGLE_OUTPUT,
    infer: (inputs) => [portShape(inputs)],
    paramCount: () => 0,
    flops: (inputs) => sizeOf(portShape(inputs)),
  });
}

const step = elementwise({
  type: 'Step',
  label: text('Step', 'ステップ関数'),
  summary: text('Outputs 1 where the input is positive, 0 elsewhere.', '入力が正なら 1、それ以外は 0 を出力します。'),
  explanation: text(
    'The step function is the perceptron’s original activation: a neuron either fires (1) or does not (0), switching at 0. ' +
      'It is useful for showing how the perceptron works and for building logic gates by hand. ' +
      'Pitfall: its derivative is 0 everywhere (and undefined at 0), so no gradient flows back through it and the layers before it cannot learn by backpropagation. For trainable networks use Sigmoid or ReLU, which are its smooth and piecewise-linear successors.',
    'ステップ関数はパーセプトロン本来の活性化関数で、0 を境にニューロンが発火する（1）かしない（0）かを切り替えます。' +
      'パーセプトロンの仕組みを示したり、論理ゲートを手で組んだりするのに役立ちます。' +
      '注意点: 微分が至るところで 0（x = 0 では定義されない）なので、勾配が逆伝播せず、手前の層は誤差逆伝播法で学習できません。学習させるネットワークでは、これを滑らかにした Sigmoid や区分線形の ReLU を使いましょう。',
  ),
  formula: 'y = \\begin{cases} 1 & (x > 0) \\\\ 0 & (x \\le 0) \\end{cases}',
});

const sigmoid = elementwise({
  type: 'Sigmoid',
  label: text('Sigmoid', 'シグモイド関数'),
  summary: text('Squashes any number smoothly into (0, 1).', '任意の実数を滑らかに (0, 1) の範囲へ押し込みます。'),
  explanation: text(
    'The sigmoid (logistic) function is a smooth version of the step: large negative inputs give nearly 0, large positive inputs nearly 1, and 0 gives 0.5. ' +
      'Its output reads as a probability, so it is the usual output for yes/no (binary) classification together with BinaryCrossEntropy. ' +
      'Pitfall: its derivative y(1 − y) is at most 0.25 (at x = 0) and almost 0 once the input is far from 0. Backpropagation multiplies one such factor per layer, so in a deep sigmoid network the gradient shrinks towards 0 before it reaches the first layers — the vanishing gradient problem. Prefer ReLU in hidden layers, and use Xavier initialisation when you do use sigmoid.',
    'シグモイド関数はステップ関数を滑らかにしたもので、大きな負の入力ではほぼ 0、大きな正の入力ではほぼ 1、入力 0 では 0.5 を出力します。' +
      '出力を確率として解釈できるため、2 クラス分類（二値分類）の出力層で BinaryCrossEntropy と組み合わせて使うのが定番です。' +
      '注意点: 微分 y(1 − y) の最大値は 0.25（x = 0 のとき）で、入力が 0 から離れるとほぼ 0 になります。誤差逆伝播では層ごとにこの値が掛け算されるため、深いシグモイドのネットワークでは入力に近い層へ届く前に勾配が 0 に近づいてしまいます（勾配消失問題）。隠れ層には ReLU を使い、シグモイドを使う場合は Xavier の初期値を使いましょう。',
  ),
  formula: "y = \\frac{1}{1 + e^{-x}},\\qquad y' = y\\,(1 - y) \\le 0.25",
});

const tanh = elementwise({
  type: 'Tanh',
  label: text('Tanh', 'tanh（双曲線正接）'),
  summary: text('Squashes any number smoothly into (−1, 1), centred on 0.', '任意の実数を 0 を中心に滑らかに (−1, 1) へ押し込みます。'),
  explanation: text(
    'The hyperbolic tangent has the same S shape as the sigmoid but ranges over (−1, 1) and passes through 0, so its outputs are centred on zero. That usually makes training of the next layer faster than with sigmoid. ' +
      'It is the classic activation inside recurrent networks (RNN, LSTM, GRU). ' +
      'Pitfall: its derivative 1 − y² peaks at 1 but still goes to 0 for large |x|, so deep tanh stacks also suffer from vanishing gradients; Xavier initialisation keeps inputs in the useful range.',
    'tanh（双曲線正接関数）はシグモイドと同じ S 字形ですが、値域は (−1, 1) で原点を通るため、出力が 0 を中心に分布します。そのため、シグモイドより次の層の学習が速く進むことが多いです。' +
      'RNN・LSTM・GRU などの再帰型ネットワークの内部で定番の活性化関数です。' +
      '注意点: 微分 1 − y² の最大値は 1 ですが、|x| が大きいと 0 に近づくので、深く重ねるとやはり勾配消失が起こります。Xavier の初期値を使うと入力が効きのよい範囲に収まります。',
  ),
  formula: "y = \\tanh x = \\frac{e^{x} - e^{-x}}{e^{x} + e^{-x}},\\qquad y' = 1 - y^2",
});

const softsign = elementwise({
  type: 'Softsign',
  label: text('Softsign', 'ソフトサイン関数'),
  summary: text('x / (1 + |x|): a tanh-like curve that saturates more slowly.', 'x / (1 + |x|): tanh に似ていて、より緩やかに飽和する曲線です。'),
  explanation: text(
    'Softsign maps inputs into (−1, 1) like tanh, but approaches ±1 polynomially rather than exponentially, so its gradient 1/(1 + |x|)² decays more slowly for large inputs and units saturate less abruptly. ' +
      'It is cheap to compute (no exponential). Use it as an alternative to tanh in hidden layers and compare the activation histograms. ' +
      'Pitfall: it is still a saturating function, so very deep stacks can still lose their gradients.',
    'ソフトサイン関数は tanh と同じく入力を (−1, 1) に写しますが、±1 への近づき方が指数的ではなく多項式的です。そのため大きな入力でも勾配 1/(1 + |x|)² がゆっくりとしか減らず、飽和が穏やかです。' +
      '指数関数を使わないので計算も軽量です。隠れ層で tanh の代わりに使い、活性化の分布（ヒストグラム）を比べてみましょう。' +
      '注意点: 飽和する関数であることに変わりはないので、非常に深いネットワークではやはり勾配が消えることがあります。',
  ),
  formula: "y = \\frac{x}{1 + |x|},\\qquad y' = \\frac{1}{(1 + |x|)^2}",
});

const relu = elementwise({
  type: 'ReLU',
  label: text('ReLU', 'ReLU（ランプ関数）'),
  summary: text('Passes positive inputs unchanged and sets negatives to 0.', '正の入力はそのまま通し、負の入力は 0 にします。'),
  explanation: text(
    'The rectified linear unit (ramp function) outputs max(0, x). For positive inputs its slope is exactly 1, so gradients pass back through many layers without shrinking; this is why ReLU largely solved the vanishing gradient problem and became the default for hidden layers, especially in CNNs. ' +
      'Pair it with He initialisation (weights with variance 2 / fan-in), which keeps activations from shrinking or blowing up layer after layer. ' +
      'Pitfall: a unit whose input is negative for every sample outputs 0 and gets zero gradient, so it never recovers ("dead ReLU"). A too-large learning rate often causes this; LeakyReLU or ELU keep a small slope for negative inputs.',
    'ReLU（正規化線形関数、ランプ関数）は max(0, x) を出力します。正の入力では傾きがちょうど 1 なので、多くの層を通っても勾配が小さくならずに逆伝播します。このため ReLU は勾配消失問題を大きく改善し、特に CNN の隠れ層で標準の活性化関数になりました。' +
      'He の初期値（分散 2 / 入力数）と組み合わせると、層を重ねても活性化の大きさが縮んだり発散したりしにくくなります。' +
      '注意点: すべてのサンプルで入力が負になったユニットは出力が 0、勾配も 0 のままで二度と学習に復帰しません（dying ReLU）。学習率が大きすぎると起こりやすく、負の入力にも小さな傾きを残す LeakyReLU や ELU で避けられます。',
  ),
  formula: "y = \\max(0, x),\\qquad y' = \\begin{cases} 1 & (x > 0) \\\\ 0 & (x \\le 0) \\end{cases}",
});

const relu6 = elementwise({
  type: 'ReLU6',
  label: text('ReLU6', 'ReLU6'),
  summary: text('ReLU capped at 6: min(max(0, x), 6).', '上限を 6 で打ち切った ReLU です: min(max(0, x), 6)。'),
  explanation: text(
    'ReLU6 behaves like ReLU but clips outputs at 6. The bounded range keeps activations small, which helps when the model is later run in low-precision (8-bit) arithmetic, as in MobileNet. ' +
      'Use it where you would use ReLU in compact mobile-style CNNs. ' +
      'Pitfall: above 6 the slope is 0 again, so units can saturate at the top as well as die at the bottom; watch the activation histogram.',
    'ReLU6 は ReLU と同じ動作ですが、出力を 6 で打ち切ります。値域が有界なので活性化が小さく保たれ、MobileNet のように後で低精度（8 ビット）演算で動かすモデルで役立ちます。' +
      '軽量なモバイル向け CNN で、ReLU の代わりに使います。' +
      '注意点: 6 を超えると再び傾きが 0 になるので、下側で死ぬだけでなく上側でも飽和することがあります。活性化のヒストグラムを確認しましょう。',
  ),
  formula: 'y = \\min(\\max(0, x), 6)',
});

const LEAKY_ALPHA: FloatParam = {
  name: 'alpha',
  kind: 'float',
  default: 0.01,
  min: 0,
  max: 1,
  label: text('Negative slope α', '負の傾き α'),
  help: text(
    'Slope used for negative inputs. 0 gives plain ReLU; 1 gives the identity. Typical values: 0.01–0.3.',
    '負の入力に使う傾きです。0 なら通常の ReLU、1 なら恒等関数になります。よく使う値は 0.01〜0.3 です。',
  ),
};

const leakyRelu = elementwise({
  type: 'LeakyReLU',
  label: text('Leaky ReLU', 'Leaky ReLU'),
  summary: text('ReLU with a small slope α for negative inputs.', '負の入力に小さな傾き α を持たせた ReLU です。'),
  explanation: text(
    'Leaky ReLU outputs x for positive inputs and αx for negative ones. The small negative slope means a unit always passes some gradient back, so it cannot "die" the way a ReLU unit can. ' +
      'Try it when many ReLU units stay at 0 (see the activation histogram), or in GAN discriminators, where it is standard. He initialisation still applies. ' +
      'Pitfall: with α close to 1 the function becomes nearly linear and the network loses its non-linearity.',
    'Leaky ReLU は、正の入力では x、負の入力では αx を出力します。負側にも小さな傾きがあるので、ユニットは常にいくらかの勾配を逆伝播し、ReLU のように「死ぬ」ことがありません。' +
      '多くの ReLU ユニットが 0 のままになっているとき（活性化のヒストグラムで確認できます）や、GAN の識別器（定番です）で試してみましょう。初期値は ReLU と同じく He の初期値が適しています。' +
      '注意点: α を 1 に近づけると関数がほぼ線形になり、ネットワークの非線形性が失われます。',
  ),
  formula: 'y = \\begin{cases} x & (x > 0) \\\\ \\alpha x & (x \\le 0) \\end{cases}',
  params: [LEAKY_ALPHA],
});

const softplus = elementwise({
  type: 'Softplus',
  label: text('Softplus', 'ソフトプラス関数'),
  summary: text('log(1 + eˣ): a smooth version of ReLU.', 'log(1 + eˣ): ReLU を滑らかにした関数です。'),
  explanation: text(
    'Softplus is a smooth approximation of ReLU: close to 0 for very negative inputs, close to x for large positive ones, and differentiable everywhere. Its derivative is exactly the sigmoid. ' +
      'Its output is always positive, which makes it handy where a value must stay above zero, such as a predicted standard deviation (for example in a VAE). ' +
      'Pitfall: it costs an exponential and a logarithm per element and, unlike ReLU, never outputs an exact 0, so activations are not sparse.',
    'ソフトプラス関数は ReLU を滑らかに近似した関数で、大きな負の入力ではほぼ 0、大きな正の入力ではほぼ x になり、どこでも微分可能です。その微分はちょうどシグモイド関数になります。' +
      '出力が常に正なので、予測する標準偏差（VAE など）のように正でなければならない値に便利です。' +
      '注意点: 要素ごとに指数と対数の計算が必要で、ReLU と違って出力がちょうど 0 になることがないため、活性化が疎（スパース）になりません。',
  ),
  formula: "y = \\log(1 + e^{x}),\\qquad y' = \\frac{1}{1 + e^{-x}}",
});

const ELU_ALPHA: FloatParam = {
  name: 'alpha',
  kind: 'float',
  default: 1.0,
  min: 0,
  minExclusive: true,
  max: 10,
  label: text('α (negative saturation)', 'α（負側の飽和値）'),
  help: text(
    'For very negative inputs the output approaches −α. The usual value is 1.',
    '大きな負の入力に対して出力が近づく値 −α を決めます。通常は 1 を使います。',
  ),
};

const elu = elementwise({
  type: 'ELU',
  label: text('ELU', 'ELU'),
  summary: text('x for positive inputs, α(eˣ − 1) for negative ones.', '正の入力では x、負の入力では α(eˣ − 1) を出力します。'),
  explanation: text(
    'The exponential linear unit is ReLU for positive inputs but curves smoothly down towards −α for negative ones. ' +
      'Negative outputs pull the mean activation towards zero (like tanh) and keep a non-zero gradient, so units do not die; networks with ELU often train a little faster than with ReLU. ' +
      'Pitfall: the exponential makes it slower than ReLU, and with α ≠ 1 the slope jumps at 0.',
    'ELU（指数線形ユニット）は、正の入力では ReLU と同じで、負の入力では −α に向かって滑らかに下がる曲線です。' +
      '負の出力が平均活性化を 0 に近づけ（tanh と同様）、勾配も 0 にならないのでユニットが死にません。ReLU より少し速く学習が進むことがよくあります。' +
      '注意点: 指数関数を使うので ReLU より計算が重く、α ≠ 1 のときは x = 0 で傾きが不連続になります。',
  ),
  formula: 'y = \\begin{cases} x & (x > 0) \\\\ \\alpha\\,(e^{x} - 1) & (x \\le 0) \\end{cases}',
  params: [ELU_ALPHA],
});

const identity = elementwise({
  type: 'Identity',
  label: text('Identity', '恒等関数'),
  summary: text('Passes its input through unchanged: y = x.', '入力をそのまま出力します（y = x）。'),
  explanation: text(
    'The identity function (恒等写像) leaves values as they are. It is the output activation for regression: the network predicts any real number, compared with the target by MSE, L1 or SmoothL1. ' +
      'It is also useful as a named pass-through point in a graph, for example to watch values in the debugger. ' +
      'Pitfall: as a hidden activation it adds no non-linearity, so Dense → Identity → Dense collapses into a single linear layer.',
    '恒等関数（恒等写像）は値をそのまま通します。回帰問題の出力層の活性化関数で、ネットワークは任意の実数を予測し、MSE・L1・SmoothL1 で正解と比べます。' +
      'グラフ中の名前付きの中継点として、デバッガで値を観察するのにも使えます。' +
      '注意点: 隠れ層に使っても非線形性は加わらないので、Dense → Identity → Dense は 1 つの線形層と同じになります。',
  ),
  formula: 'y = x',
});

type SoftmaxParams = { readonly axis: number };

const softmax = defineNode<SoftmaxParams>({
  type: 'Softmax',
  family: 'activation',
  role: 'layer',
  label: text('Softmax', 'ソフトマックス関数'),
  summary: text('Turns scores into probabilities that sum to 1.', 'スコアを合計 1 の確率に変換します。'),
  explanation: text(
    'Softmax exponentiates each score and divides by the sum along one axis, so the outputs are positive and add up to 1: a probability for each class. The largest score gets the largest probability, and the order of the scores is kept. ' +
      'Use it as the output of a multi-class classifier. Implementations subtract the maximum score before exponentiating so e^x cannot overflow; the result is the same. ' +
      'Pitfall: do not put Softmax in front of the CrossEntropy loss — CrossEntropy already contains it (fused for numerical stability), and applying it twice flattens the gradients. Use a Softmax node only when you need the probabilities themselves.',
    'ソフトマックス関数は、ある軸に沿って各スコアの指数をとり、その総和で割ります。出力はすべて正で合計が 1 になり、各クラスの確率として読めます。最大のスコアが最大の確率になり、大小関係は保たれます。' +
      '多クラス分類の出力層に使います。実装では e^x のオーバーフローを防ぐために、指数をとる前に最大値を引きます（結果は変わりません）。' +
      '注意点: CrossEntropy 損失の前に Softmax を置かないでください。CrossEntropy は数値安定性のためにソフトマックスを内部に含んでおり、二重にかけると勾配が平坦になってしまいます。確率そのものが必要なときだけ Softmax ノードを使いましょう。',
  ),
  formula: 'y_k = \\frac{e^{x_k}}{\\sum_{j} e^{x_j}}',
  params: [
    {
      name: 'axis',
      kind: 'int',
      default: -1,
      min: -3,
      max: 2,
      label: text('Axis', '軸'),
      help: text(
        'Axis along which the outputs sum to 1, counted after the batch axis N; -1 is the last axis (the classes of a vector [N,K]).',
        '出力の合計が 1 になる軸です。バッチ軸 N の次を 0 として数え、-1 は最後の軸（ベクトル [N,K] ならクラスの軸）です。',
      ),
    },
  ],
  inputs: singleInput,
  outputs: SINGLE_OUTPUT,
  infer: (inputs, params) => {
    const shape = portShape(inputs);
    if (resolveAxis(params.axis, shape.length) === undefined) return axisFault('Softmax', params.axis, shape);
    return [shape];
  },
  paramCount: () => 0,
  // Per element: one exponential, one add into the sum, one divide.
  flops: (inputs) => 3 * sizeOf(portShape(inputs)),
});

export const activationNodes: readonly NodeSpec[] = [
  step,
  sigmoid,
  tanh,
  softsign,
  relu,
  relu6,
  leakyRelu,
  softplus,
  elu,
  identity,
  softmax,
];
