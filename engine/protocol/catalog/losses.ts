// The loss family (損失関数 / 誤差関数): nodes that compare a prediction with a target and output
// one number per sample, shape []. Reduction everywhere: sum over the elements of a sample, then
// the trainer averages over the mini-batch. `target` is optional: unconnected, the dataset's labels
// are used.

import { formatShape, sameShape, sizeOf, type Shape } from '../shape.js';
import { text, type Text } from '../text.js';
import { IN_PORT, needsVectorFault, portShape } from './common.js';
import {
  defineNode,
  fault,
  type NodeSpec,
  type ParamSpec,
  type Params,
  type PortSpec,
  type ShapeFault,
} from './types.js';

const PREDICTION_PORT: PortSpec = { name: 'in', label: text('Prediction', '予測') };
const TARGET_PORT: PortSpec = {
  name: 'target',
  label: text('Target (optional)', '正解（省略可）'),
  optional: true,
};
const LOSS_INPUTS: readonly PortSpec[] = [PREDICTION_PORT, TARGET_PORT];
const LOSS_OUTPUTS: readonly PortSpec[] = [{ name: 'out', label: text('Loss', '損失') }];

/** A loss is one number per sample. */
const SCALAR: Shape = [];

/** `target` must match `in` exactly; the fault sits on `target`, the port a learner rewires. */
function targetMismatch(node: string, prediction: Shape, target: Shape, hint: Text): ShapeFault {
  return fault(
    'SHAPE_TARGET',
    { port: 'target' },
    text(
      `${node} compares the prediction ${formatShape(prediction)} with the target ${formatShape(target)}, but the two must have the same shape.`,
      `${node} は予測 ${formatShape(prediction)} と正解 ${formatShape(target)} を比較しますが、両者は同じ形状でなければなりません。`,
    ),
    hint,
  );
}

const SAME_SHAPE_HINT = text(
  'Connect a target with exactly the prediction’s shape, or leave “target” unconnected to use the dataset’s labels. For classes, give the last layer one output per class.',
  '予測と同じ形状の正解を接続するか、「正解」を未接続にしてデータセットのラベルを使ってください。クラス分類なら、最後の層の出力数をクラス数と同じにします。',
);

interface LossText {
  readonly type: string;
  readonly label: Text;
  readonly summary: Text;
  readonly explanation: Text;
  readonly formula: string;
  readonly params?: readonly ParamSpec[];
}

/**
 * A loss whose target, when connected, has the prediction's shape (everything but
 * CrossEntropy). `flopsPerElement` counts the work per element of the prediction.
 */
function elementwiseLoss<P extends Params>(spec: LossText, flopsPerElement: (params: P) => number): NodeSpec {
  return defineNode<P>({
    ...spec,
    family: 'loss',
    role: 'loss',
    params: spec.params ?? [],
    inputs: () => LOSS_INPUTS,
    outputs: LOSS_OUTPUTS,
    infer: (inputs) => {
      const prediction = portShape(inputs, 'in');
      const target = inputs['target'];
      if (target !== undefined && !sameShape(prediction, target)) {
        return targetMismatch(spec.type, prediction, target, SAME_SHAPE_HINT);
      }
      return [SCALAR];
    },
    paramCount: () => 0,
    flops: (inputs, _outputs, params) => flopsPerElement(params) * sizeOf(portShape(inputs, 'in')),
  });
}

// Per element: subtract, square, accumulate. The ½ and the batch mean are per-sample constants.
const mse = elementwiseLoss(
  {
    type: 'MSE',
    label: text('Squared error (MSE)', '二乗和誤差（MSE）'),
    summary: text('Half the sum of squared differences: for regression.', '差の二乗和の半分: 回帰問題の損失です。'),
    explanation: text(
      'The squared error sums (y − t)² over the outputs of a sample and halves it; the trainer then averages over the mini-batch. The ½ is there only so the derivative is the plain difference y − t. ' +
        'It is the standard loss for regression, with an Identity (linear) output. It also works with one-hot class targets, as in many textbook MNIST examples, but CrossEntropy learns classification faster. ' +
        'Pitfall: squaring makes large errors dominate, so a few outliers can pull the whole fit; L1 or SmoothL1 are more robust. With a sigmoid output, MSE gradients also vanish when the sigmoid saturates.',
      '二乗和誤差は、1 サンプルの出力ごとの (y − t)² を合計して半分にしたものです（ミニバッチではさらに平均をとります）。½ は、微分したときに単純な差 y − t になるように付けているだけで、本質的な意味はありません。' +
        '恒等関数（線形）の出力と組み合わせる、回帰問題の標準的な損失です。多くの教科書の MNIST の例のように one-hot のクラス正解にも使えますが、分類では CrossEntropy のほうが速く学習します。' +
        '注意点: 二乗するので大きな誤差の影響が支配的になり、少数の外れ値に全体が引っ張られます。外れ値に強いのは L1 や SmoothL1 です。また、シグモイド出力と組み合わせると、シグモイドが飽和したところで勾配が消えます。',
    ),
    formula: 'E = \\frac{1}{2} \\sum_{k} (y_k - t_k)^2',
  },
  () => 3,
);

// Per element: subtract, absolute value, accumulate.
const l1 = elementwiseLoss(
  {
    type: 'L1',
    label: text('L1 (absolute error)', 'L1 誤差（絶対誤差）'),
    summary: text('Sum of absolute differences: regression that tolerates outliers.', '差の絶対値の和: 外れ値に強い回帰の損失です。'),
    explanation: text(
      'The L1 loss sums |y − t| over the outputs of a sample. Every error pulls with the same strength whatever its size, so outliers influence the fit far less than with MSE, and the prediction tends towards the median of the targets rather than the mean. ' +
        'Use it for regression on noisy data. ' +
        'Pitfall: its gradient is ±1 even for tiny errors, so it does not slow down near the answer and can jitter around it; SmoothL1 fixes this with a quadratic zone near 0.',
      'L1 誤差は、1 サンプルの出力ごとの |y − t| を合計します。誤差の大きさに関係なく同じ強さで引っ張るので、MSE に比べて外れ値の影響がずっと小さく、予測は正解の平均ではなく中央値に近づく傾向があります。' +
        'ノイズの多いデータの回帰に使います。' +
        '注意点: 誤差がごく小さくても勾配は ±1 のままなので、正解の近くで減速せず、周りを行ったり来たりすることがあります。0 付近を二次関数にした SmoothL1 でこれを解消できます。',
    ),
    formula: 'E = \\sum_{k} |y_k - t_k|',
  },
  () => 3,
);

type SmoothL1Params = { readonly beta: number };

// Per element: subtract, absolute value, compare with β, square-and-scale or shift, accumulate.
const smoothL1 = elementwiseLoss<SmoothL1Params>(
  {
    type: 'SmoothL1',
    label: text('Smooth L1 (Huber)', 'Smooth L1 誤差（Huber）'),
    summary: text('Quadratic for small errors, linear for large ones.', '小さな誤差には二次、大きな誤差には一次の損失です。'),
    explanation: text(
      'Smooth L1 behaves like MSE when the error is smaller than β and like L1 beyond it, so it is smooth near the answer but not dominated by outliers. With β = 1 it equals the Huber loss. ' +
        'It is the box-regression (localization) loss of detectors such as SSD and Faster R-CNN. ' +
        'Pitfall: β sets the scale at which errors count as "large" — if your targets are in pixels rather than in normalised units, β = 1 may be far too small or large.',
      'Smooth L1 誤差は、誤差が β より小さいときは MSE のように、β を超えると L1 のようにふるまいます。正解の近くでは滑らかで、しかも外れ値に支配されません。β = 1 のときは Huber 損失と一致します。' +
        'SSD や Faster R-CNN などの物体検出で、ボックスの位置の回帰（位置特定誤差）に使われる損失です。' +
        '注意点: β は「大きな誤差」とみなす尺度です。正解が正規化された単位ではなくピクセル単位なら、β = 1 は小さすぎたり大きすぎたりします。',
    ),
    formula:
      'E = \\sum_{k} \\begin{cases} \\frac{(y_k - t_k)^2}{2\\beta} & (|y_k - t_k| < \\beta) \\\\ |y_k - t_k| - \\frac{\\beta}{2} & (\\text{otherwise}) \\end{cases}',
    params: [
      {
        name: 'beta',
        kind: 'float',
        default: 1.0,
        min: 0,
        minExclusive: true,
        max: 10,
        label: text('β (switch point)', 'β（切り替え点）'),
        help: text(
          'Error size at which the loss switches from quadratic to linear. Smaller β is closer to L1.',
          '損失が二次から一次に切り替わる誤差の大きさです。β を小さくするほど L1 に近づきます。',
        ),
      },
    ],
  },
  () => 5,
);

type BinaryCrossEntropyParams = { readonly fromLogits: boolean };

// Per element: two logarithms, 1 − y, two multiplies by t and 1 − t, accumulate (6);
// with fromLogits the sigmoid adds one more.
const binaryCrossEntropy = elementwiseLoss<BinaryCrossEntropyParams>(
  {
    type: 'BinaryCrossEntropy',
    label: text('Binary cross-entropy', '二値交差エントロピー誤差'),
    summary: text('Loss for yes/no outputs: probabilities in (0, 1) against 0/1 targets.', '二値分類の損失: (0, 1) の確率と 0/1 の正解を比べます。'),
    explanation: text(
      'Binary cross-entropy measures how surprised the model is by the true label when it predicted probability y that the label is 1. It is the loss for binary classification and for multi-label outputs (several independent yes/no answers), each output having its own sigmoid. ' +
        'Connect a Sigmoid output, or turn on “from logits” and connect the raw scores: then the sigmoid is applied inside the loss in a numerically stable form. Targets are 0 or 1 (or probabilities between). ' +
        'Pitfall: feeding raw scores with “from logits” off (or a sigmoid output with it on) gives wrong losses; a probability of exactly 0 or 1 would give log 0, so probabilities are clipped slightly inside (0, 1).',
      '二値交差エントロピー誤差は、ラベルが 1 である確率を y と予測したモデルが、本当のラベルを見たときの「驚き」の大きさを測ります。2 クラス分類や、独立した yes/no を複数出力するマルチラベル分類の損失で、各出力にシグモイドを使います。' +
        'Sigmoid の出力を接続するか、「ロジットから計算」をオンにして活性化前のスコアを接続します。後者では、シグモイドが損失の中で数値的に安定な形で計算されます。正解は 0 か 1（またはその間の確率）です。' +
        '注意点: 「ロジットから計算」をオフのままスコアをつなぐ（あるいはオンのままシグモイド出力をつなぐ）と損失が正しくなりません。また確率がちょうど 0 や 1 だと log 0 になるため、確率は (0, 1) の内側にわずかに切り詰められます。',
    ),
    formula: 'E = -\\sum_{k} \\left[ t_k \\log y_k + (1 - t_k) \\log (1 - y_k) \\right]',
    params: [
      {
        name: 'fromLogits',
        kind: 'bool',
        default: false,
        label: text('From logits', 'ロジットから計算'),
        help: text(
          'On: the input is raw scores and the loss applies the sigmoid itself (more stable). Off: the input is already a probability from a Sigmoid node.',
          'オン: 入力は活性化前のスコアで、損失の中でシグモイドを計算します（数値的に安定）。オフ: 入力は Sigmoid ノードが出力した確率です。',
        ),
      },
    ],
  },
  (params) => (params.fromLogits ? 7 : 6),
);

// Per element: multiply t·y, subtract from 1, max with 0, accumulate.
const hinge = elementwiseLoss(
  {
    type: 'Hinge',
    label: text('Hinge', 'ヒンジ損失'),
    summary: text('Margin loss of support vector machines, with ±1 targets.', 'サポートベクターマシンのマージン損失（正解は ±1）です。'),
    explanation: text(
      'The hinge loss is zero once a raw score y has the right sign with a margin of at least 1 (t·y ≥ 1), and grows linearly otherwise. It stops pushing on examples that are already classified with confidence and concentrates on the hard ones near the boundary, like a support vector machine. ' +
        'Targets are −1 or +1 (dataset labels 0/1 are read as −1/+1); connect raw scores, not probabilities. ' +
        'Pitfall: a Sigmoid before it keeps scores in (0, 1), so the margin 1 can never be reached for the positive class.',
      'ヒンジ損失は、スコア y の符号が正しく、しかも 1 以上のマージンがある（t·y ≥ 1）ときは 0 で、それ以外では線形に増えます。すでに自信をもって正しく分類できている例は押さず、境界付近の難しい例に集中するのはサポートベクターマシンと同じです。' +
        '正解は −1 か +1 です（データセットのラベル 0/1 は −1/+1 として読みます）。確率ではなく活性化前のスコアを接続してください。' +
        '注意点: 直前に Sigmoid を置くとスコアが (0, 1) に収まり、正のクラスではマージン 1 に決して届きません。',
    ),
    formula: 'E = \\sum_{k} \\max(0,\\; 1 - t_k\\, y_k),\\quad t_k \\in \\{-1, +1\\}',
  },
  () => 4,
);

const crossEntropy = defineNode<Params>({
  type: 'CrossEntropy',
  family: 'loss',
  role: 'loss',
  label: text('Cross-entropy (softmax)', '交差エントロピー誤差（ソフトマックス付き）'),
  summary: text('Softmax plus cross-entropy in one step: the loss for K-class classification.', 'ソフトマックスと交差エントロピーを一体化した、K クラス分類の損失です。'),
  explanation: text(
    'This node takes the raw scores (logits) of K classes, turns them into probabilities with softmax, and measures −log of the probability given to the correct class. A confident right answer costs almost 0; a confident wrong one costs a lot. ' +
      'Softmax and cross-entropy are fused because the combination has a very simple gradient, softmax(x) − t, and avoids computing log 0. So connect the last Dense layer directly — do not add a Softmax node in between. ' +
      'With “target” unconnected the dataset’s class labels are used; a connected target must be a one-hot or probability vector [K]. ' +
      'Pitfall: a loss stuck at log K (2.30 for 10 classes) means the network predicts uniform probabilities and is not learning.',
    'このノードは K クラスの活性化前のスコア（ロジット）を受け取り、ソフトマックスで確率に変換して、正解クラスに与えた確率の −log を求めます。自信をもって正解すれば損失はほぼ 0、自信をもって間違えると大きな損失になります。' +
      'ソフトマックスと交差エントロピーを一体化しているのは、組み合わせると勾配が softmax(x) − t という非常に単純な形になり、log 0 の計算も避けられるからです。最後の Dense 層を直接つなぎ、間に Softmax ノードを入れないでください。' +
      '「正解」を未接続にするとデータセットのクラスラベルを使います。接続する場合は、one-hot か確率のベクトル [K] にしてください。' +
      '注意点: 損失が log K（10 クラスなら 2.30）から下がらないときは、ネットワークが一様な確率を出力していて学習が進んでいません。',
  ),
  formula: 'y_k = \\frac{e^{x_k}}{\\sum_j e^{x_j}},\\qquad E = -\\sum_{k} t_k \\log y_k',
  params: [],
  inputs: () => LOSS_INPUTS,
  outputs: LOSS_OUTPUTS,
  infer: (inputs) => {
    const logits = portShape(inputs, 'in');
    if (logits.length !== 1) return needsVectorFault('CrossEntropy', IN_PORT.name, logits);
    const target = inputs['target'];
    if (target !== undefined && !sameShape(logits, target)) {
      return targetMismatch(
        'CrossEntropy',
        logits,
        target,
        text(
          `Connect a one-hot or probability vector ${formatShape(logits)}, or leave “target” unconnected to use the dataset’s class labels.`,
          `one-hot か確率のベクトル ${formatShape(logits)} を接続するか、「正解」を未接続にしてデータセットのクラスラベルを使ってください。`,
        ),
      );
    }
    return [SCALAR];
  },
  paramCount: () => 0,
  // Per class: subtract the max, exponential, add to the sum, log-probability, multiply by t and accumulate.
  flops: (inputs) => 5 * sizeOf(portShape(inputs, 'in')),
});

export const lossNodes: readonly NodeSpec[] = [mse, crossEntropy, binaryCrossEntropy, l1, smoothL1, hinge];

