// Tests for the node catalog: structural checks over every entry (types, params, bilingual text,
// counts), then shape rules, parameter counts and FLOPs per node against hand-computed numbers.

import { describe, expect, it } from 'vitest';
import { sizeOf, type Shape } from '../shape.js';
import { LANGS, type Text } from '../text.js';
import { CATALOG, specOf } from './index.js';
import { FAMILIES, isFault, type NodeSpec, type ParamSpec, type ParamValue, type Params, type PortShapes, type ShapeFault, type ShapeFaultCode } from './types.js';

// ---------------------------------------------------------------------------------------------
// Helpers

function spec(type: string): NodeSpec {
  const found = specOf(type);
  if (found === undefined) throw new Error(`no catalog entry for ${type}`);
  return found;
}

function defaults(node: NodeSpec): Record<string, ParamValue> {
  return Object.fromEntries(node.params.map((p) => [p.name, p.default]));
}

function paramsOf(type: string, overrides: Record<string, ParamValue> = {}): Params {
  return { ...defaults(spec(type)), ...overrides };
}

/** Runs a node's shape rule, parameter count and FLOPs on one set of input shapes. */
function run(type: string, inputs: PortShapes, overrides: Record<string, ParamValue> = {}) {
  const node = spec(type);
  const params = paramsOf(type, overrides);
  const result = node.infer(inputs, params);
  if (isFault(result)) return { fault: result, outputs: undefined, params: NaN, flops: NaN };
  return {
    fault: undefined,
    outputs: result,
    params: node.paramCount(inputs, params),
    flops: node.flops(inputs, result, params),
  };
}

function outputsOf(type: string, inputs: PortShapes, overrides: Record<string, ParamValue> = {}): readonly Shape[] {
  const { fault, outputs } = run(type, inputs, overrides);
  if (fault) throw new Error(`${type} refused: ${fault.message.en}`);
  return outputs;
}

function faultOf(type: string, inputs: PortShapes, overrides: Record<string, ParamValue> = {}): ShapeFault {
  const { fault } = run(type, inputs, overrides);
  if (!fault) throw new Error(`${type} accepted ${JSON.stringify(inputs)}`);
  return fault;
}

function expectText(t: Text, where: string): void {
  for (const lang of LANGS) {
    expect(typeof t[lang], `${where} (${lang})`).toBe('string');
    expect(t[lang].trim().length, `${where} (${lang}) is empty`).toBeGreaterThan(0);
  }
}

function expectFault(f: ShapeFault, code: ShapeFaultCode, where: { port?: string; param?: string }): void {
  expect(f.code).toBe(code);
  expect(f.port).toBe(where.port);
  expect(f.param).toBe(where.param);
  expectText(f.message, 'fault message');
  expectText(f.hint, 'fault hint');
}

function expectCount(n: number, what: string): void {
  expect(Number.isInteger(n), `${what} = ${n} is not an integer`).toBe(true);
  expect(n, what).toBeGreaterThanOrEqual(0);
}

function defaultInRange(p: ParamSpec): boolean {
  switch (p.kind) {
    case 'bool':
      return typeof p.default === 'boolean';
    case 'enum':
      return p.options.some((o) => o.value === p.default);
    case 'int':
      return Number.isInteger(p.default) && p.default >= p.min && p.default <= p.max;
    case 'float': {
      const aboveMin = p.minExclusive ? p.default > p.min : p.default >= p.min;
      const belowMax = p.maxExclusive ? p.default < p.max : p.default <= p.max;
      return Number.isFinite(p.default) && aboveMin && belowMax;
    }
    case 'ints':
      return (
        p.default.length >= p.minLength &&
        p.default.length <= p.maxLength &&
        p.default.every((d) => Number.isInteger(d) && d >= p.min && d <= p.max)
      );
  }
}

// ---------------------------------------------------------------------------------------------
// A sensible input for every node, and the output shapes its docs promise for it.

const image: Shape = [1, 28, 28];
const features: Shape = [10];

const SAMPLES: Partial<Record<string, { inputs: PortShapes; outputs: readonly Shape[] }>> = {
  Input: { inputs: {}, outputs: [[784]] },
  Dense: { inputs: { in: [784] }, outputs: [[128]] },
  Perceptron: { inputs: { in: [2] }, outputs: [[1]] },
  Step: { inputs: { in: features }, outputs: [features] },
  Sigmoid: { inputs: { in: features }, outputs: [features] },
  Tanh: { inputs: { in: features }, outputs: [features] },
  Softsign: { inputs: { in: features }, outputs: [features] },
  ReLU: { inputs: { in: image }, outputs: [image] },
  ReLU6: { inputs: { in: image }, outputs: [image] },
  LeakyReLU: { inputs: { in: image }, outputs: [image] },
  Softplus: { inputs: { in: features }, outputs: [features] },
  ELU: { inputs: { in: features }, outputs: [features] },
  Identity: { inputs: { in: features }, outputs: [features] },
  Softmax: { inputs: { in: features }, outputs: [features] },
  MSE: { inputs: { in: features, target: features }, outputs: [[]] },
  CrossEntropy: { inputs: { in: features }, outputs: [[]] },
  BinaryCrossEntropy: { inputs: { in: [1] }, outputs: [[]] },
  L1: { inputs: { in: features }, outputs: [[]] },
  SmoothL1: { inputs: { in: [4], target: [4] }, outputs: [[]] },
  Hinge: { inputs: { in: [1] }, outputs: [[]] },
  Dropout: { inputs: { in: [128] }, outputs: [[128]] },
  BatchNorm: { inputs: { in: [16, 28, 28] }, outputs: [[16, 28, 28]] },
  LRN: { inputs: { in: [96, 55, 55] }, outputs: [[96, 55, 55]] },
  Conv2D: { inputs: { in: image }, outputs: [[16, 26, 26]] },
  MaxPool: { inputs: { in: [16, 26, 26] }, outputs: [[16, 13, 13]] },
  AvgPool: { inputs: { in: [16, 26, 26] }, outputs: [[16, 13, 13]] },
  LpPool: { inputs: { in: [16, 26, 26] }, outputs: [[16, 13, 13]] },
  GlobalAvgPool: { inputs: { in: [64, 7, 7] }, outputs: [[64]] },
  Flatten: { inputs: { in: [64, 7, 7] }, outputs: [[3136]] },
  Reshape: { inputs: { in: [784] }, outputs: [[1, 28, 28]] },
  Add: { inputs: { in0: [64, 8, 8], in1: [64, 8, 8] }, outputs: [[64, 8, 8]] },
  Concat: { inputs: { in0: [32, 14, 14], in1: [16, 14, 14] }, outputs: [[48, 14, 14]] },
};

const EXPECTED_TYPES = Object.keys(SAMPLES);

// ---------------------------------------------------------------------------------------------
// Structure of every entry

describe('catalog structure', () => {
  it('holds exactly the documented node types, each once', () => {
    const types = CATALOG.map((s) => s.type);
    expect(new Set(types).size).toBe(types.length);
    expect([...types].sort()).toEqual([...EXPECTED_TYPES].sort());
    for (const type of types) expect(specOf(type)?.type).toBe(type);
    expect(specOf('NoSuchNode')).toBeUndefined();
  });

  it('lists nodes family by family, in FAMILIES order', () => {
    const order = CATALOG.map((s) => FAMILIES.indexOf(s.family));
    expect(order.every((f) => f >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('gives the input role only to Input and the loss role to the loss family', () => {
    for (const node of CATALOG) {
      expect(node.role === 'input', node.type).toBe(node.type === 'Input');
      expect(node.role === 'loss', node.type).toBe(node.family === 'loss');
    }
  });

  describe.each(CATALOG.map((s) => [s.type, s] as const))('%s', (type, node) => {
    it('has English and Japanese label, summary and explanation, and a formula', () => {
      expectText(node.label, `${type}.label`);
      expectText(node.summary, `${type}.summary`);
      expectText(node.explanation, `${type}.explanation`);
      expect(node.summary.en.includes('\n'), 'summary is one line').toBe(false);
      expect(node.formula.trim().length).toBeGreaterThan(0);
    });

    it('has uniquely named params with bilingual label and help, and defaults in range', () => {
      const names = node.params.map((p) => p.name);
      expect(new Set(names).size).toBe(names.length);
      for (const p of node.params) {
        expectText(p.label, `${type}.${p.name}.label`);
        expectText(p.help, `${type}.${p.name}.help`);
        expect(defaultInRange(p), `${type}.${p.name} default ${JSON.stringify(p.default)}`).toBe(true);
        if (p.kind === 'enum') {
          for (const o of p.options) expectText(o.label, `${type}.${p.name}=${o.value}`);
        }
        if (p.kind === 'int' || p.kind === 'float' || p.kind === 'ints') expect(p.min).toBeLessThanOrEqual(p.max);
      }
    });

    it('has uniquely named, labelled ports', () => {
      const inputs = node.inputs(defaults(node));
      for (const ports of [inputs, node.outputs]) {
        expect(new Set(ports.map((p) => p.name)).size).toBe(ports.length);
        for (const p of ports) expectText(p.label, `${type} port ${p.name}`);
      }
      expect(node.outputs.length).toBeGreaterThan(0);
    });

    it('infers the documented shape on a sensible input, with integer counts', () => {
      const sample = SAMPLES[type];
      expect(sample, `no sample input for ${type}`).toBeDefined();
      if (!sample) return;
      const { fault, outputs, params, flops } = run(type, sample.inputs);
      expect(fault?.message.en).toBeUndefined();
      expect(outputs).toEqual(sample.outputs);
      expect(outputs?.length).toBe(node.outputs.length);
      expectCount(params, `${type} paramCount`);
      expectCount(flops, `${type} flops`);
    });

    it('never throws on inputs of any rank, and explains every refusal in both languages', () => {
      const ports = node.inputs(defaults(node)).filter((p) => !p.optional);
      for (const shape of [[], [7], [3, 8], [3, 8, 8]] as Shape[]) {
        const inputs = Object.fromEntries(ports.map((p) => [p.name, shape]));
        const result = node.infer(inputs, defaults(node));
        if (isFault(result)) {
          expectText(result.message, `${type} fault on ${JSON.stringify(shape)}`);
          expectText(result.hint, `${type} hint on ${JSON.stringify(shape)}`);
          const where = result.port ?? result.param;
          expect(where, `${type} fault names neither port nor param`).toBeDefined();
        } else {
          expectCount(node.paramCount(inputs, defaults(node)), `${type} paramCount`);
          expectCount(node.flops(inputs, result, defaults(node)), `${type} flops`);
        }
      }
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Input and dense

describe('Input', () => {
  it('outputs its shape param and has no inputs', () => {
    expect(spec('Input').inputs(paramsOf('Input'))).toEqual([]);
    expect(outputsOf('Input', {}, { shape: [3, 32, 32] })).toEqual([[3, 32, 32]]);
    expect(run('Input', {}).flops).toBe(0);
  });
});

describe('Dense', () => {
  it('maps [784] to [units] with F·units + units weights', () => {
    const r = run('Dense', { in: [784] });
    expect(r.outputs).toEqual([[128]]);
    expect(r.params).toBe(784 * 128 + 128); // 100480
    expect(r.flops).toBe(2 * 784 * 128 + 128); // 200832
  });

  it('drops the bias terms when bias is off', () => {
    const r = run('Dense', { in: [784] }, { units: 10, bias: false });
    expect(r.params).toBe(7840);
    expect(r.flops).toBe(15680);
  });

  it('refuses an image on port in and suggests Flatten with the flattened shape', () => {
    const f = faultOf('Dense', { in: [1, 28, 28] });
    expectFault(f, 'SHAPE_RANK', { port: 'in' });
    expect(f.message.en).toContain('[N,1,28,28]');
    expect(f.hint.en).toContain('Flatten');
    expect(f.hint.en).toContain('[N,784]');
    expect(f.hint.ja).toContain('Flatten');
  });
});

describe('Perceptron', () => {
  it('costs a Dense layer plus one step per unit', () => {
    const r = run('Perceptron', { in: [2] });
    expect(r.outputs).toEqual([[1]]);
    expect(r.params).toBe(3); // w1, w2, b
    expect(r.flops).toBe(2 * 2 + 1 + 1);
    expect(run('Perceptron', { in: [4] }, { units: 3, bias: false }).flops).toBe(2 * 4 * 3 + 3);
  });

  it('needs a vector', () => {
    expectFault(faultOf('Perceptron', { in: [2, 2] }), 'SHAPE_RANK', { port: 'in' });
  });
});

// ---------------------------------------------------------------------------------------------
// Activations

describe('activations', () => {
  const elementwise = ['Step', 'Sigmoid', 'Tanh', 'Softsign', 'ReLU', 'ReLU6', 'LeakyReLU', 'Softplus', 'ELU', 'Identity'];

  it.each(elementwise)('%s keeps the shape, has no weights and costs 1 FLOP per element', (type) => {
    for (const shape of [[10], [3, 4, 5]] as Shape[]) {
      const r = run(type, { in: shape });
      expect(r.outputs).toEqual([shape]);
      expect(r.params).toBe(0);
      expect(r.flops).toBe(sizeOf(shape));
    }
  });

  it('Softmax costs 3 FLOPs per element', () => {
    expect(run('Softmax', { in: [3, 4, 5] }).flops).toBe(180);
  });

  it('Softmax accepts every existing axis, counted from either end', () => {
    for (const axis of [-3, -2, -1, 0, 1, 2]) expect(outputsOf('Softmax', { in: [3, 4, 5] }, { axis })).toEqual([[3, 4, 5]]);
    expect(outputsOf('Softmax', { in: [10] }, { axis: 0 })).toEqual([[10]]);
  });

  it('Softmax refuses an axis the input does not have, on param axis', () => {
    for (const axis of [1, 2, -2, -3]) {
      const f = faultOf('Softmax', { in: [10] }, { axis });
      expectFault(f, 'SHAPE_RANK', { param: 'axis' });
      expect(f.message.en).toContain('[N,10]');
    }
  });

  it('LeakyReLU and ELU expose alpha with the documented defaults', () => {
    expect(paramsOf('LeakyReLU')['alpha']).toBe(0.01);
    expect(paramsOf('ELU')['alpha']).toBe(1.0);
  });
});

// ---------------------------------------------------------------------------------------------
// Losses

describe('losses', () => {
  const sameShapeLosses = ['MSE', 'L1', 'SmoothL1', 'BinaryCrossEntropy', 'Hinge'];

  it.each([...sameShapeLosses, 'CrossEntropy'])('%s has in (required) and target (optional), and outputs a scalar', (type) => {
    const ports = spec(type).inputs(paramsOf(type));
    expect(ports.map((p) => [p.name, p.optional ?? false])).toEqual([
      ['in', false],
      ['target', true],
    ]);
    expect(outputsOf(type, { in: [10] })).toEqual([[]]);
    expect(run(type, { in: [10] }).params).toBe(0);
  });

  it.each(sameShapeLosses)('%s needs a target shaped like the prediction', (type) => {
    expect(outputsOf(type, { in: [3, 4], target: [3, 4] })).toEqual([[]]);
    const f = faultOf(type, { in: [10], target: [1] });
    expectFault(f, 'SHAPE_TARGET', { port: 'target' });
    expect(f.message.en).toContain('[N,10]');
    expect(f.message.en).toContain('[N,1]');
    expect(f.message.ja).toContain('[N,10]');
  });

  it('charges the documented FLOPs per prediction element', () => {
    const perElement = (type: string, overrides: Record<string, ParamValue> = {}) => run(type, { in: [10] }, overrides).flops / 10;
    expect(perElement('MSE')).toBe(3);
    expect(perElement('L1')).toBe(3);
    expect(perElement('SmoothL1')).toBe(5);
    expect(perElement('Hinge')).toBe(4);
    expect(perElement('BinaryCrossEntropy')).toBe(6);
    expect(perElement('BinaryCrossEntropy', { fromLogits: true })).toBe(7);
    expect(perElement('CrossEntropy')).toBe(5);
  });

  it('CrossEntropy needs logits [K], and a connected target [K]', () => {
    expect(outputsOf('CrossEntropy', { in: [10], target: [10] })).toEqual([[]]);
    const rank = faultOf('CrossEntropy', { in: [10, 4, 4] });
    expectFault(rank, 'SHAPE_RANK', { port: 'in' });
    expect(rank.hint.en).toContain('[N,160]');
    const target = faultOf('CrossEntropy', { in: [10], target: [5] });
    expectFault(target, 'SHAPE_TARGET', { port: 'target' });
    expect(target.message.en).toContain('[N,5]');
  });
});

// ---------------------------------------------------------------------------------------------
// Regularization

describe('Dropout', () => {
  it('keeps the shape, 1 FLOP per element, rate 0.5 below an exclusive 1', () => {
    const r = run('Dropout', { in: [64, 7, 7] });
    expect(r.outputs).toEqual([[64, 7, 7]]);
    expect(r.flops).toBe(3136);
    const rate = spec('Dropout').params.find((p) => p.name === 'rate');
    expect(rate).toMatchObject({ kind: 'float', default: 0.5, min: 0, max: 1, maxExclusive: true });
  });
});

describe('BatchNorm', () => {
  it('learns γ and β per channel of an image', () => {
    const r = run('BatchNorm', { in: [64, 14, 14] });
    expect(r.outputs).toEqual([[64, 14, 14]]);
    expect(r.params).toBe(128);
    expect(r.flops).toBe(2 * 64 * 14 * 14); // 25088
  });

  it('learns γ and β per feature of a vector', () => {
    expect(run('BatchNorm', { in: [100] }).params).toBe(200);
  });
});

describe('LRN', () => {
  it('costs (2·size + 3) FLOPs per element', () => {
    const r = run('LRN', { in: [96, 55, 55] });
    expect(r.flops).toBe(13 * 96 * 55 * 55); // 3775200
    expect(run('LRN', { in: [96, 55, 55] }, { size: 3 }).flops).toBe(9 * 96 * 55 * 55);
    expect(r.params).toBe(0);
  });

  it('needs an image and suggests the image shape a flat vector came from', () => {
    const f = faultOf('LRN', { in: [784] });
    expectFault(f, 'SHAPE_RANK', { port: 'in' });
    expect(f.hint.en).toContain('[N,1,28,28]');
  });
});

// ---------------------------------------------------------------------------------------------
// Convolution and pooling

describe('Conv2D', () => {
  it('LeNet C1: [1,28,28] with six 5×5 filters gives [6,24,24]', () => {
    const r = run('Conv2D', { in: [1, 28, 28] }, { filters: 6, kernel: [5, 5] });
    expect(r.outputs).toEqual([[6, 24, 24]]);
    expect(r.params).toBe(6 * 25 + 6); // 156
    expect(r.flops).toBe(2 * 6 * 25 * 576 + 6 * 576); // 172800 + 3456 = 176256
  });

  it('AlexNet conv1: [3,227,227], 96 filters 11×11 stride 4 gives [96,55,55]', () => {
    const r = run('Conv2D', { in: [3, 227, 227] }, { filters: 96, kernel: [11, 11], stride: [4, 4] });
    expect(r.outputs).toEqual([[96, 55, 55]]);
    expect(r.params).toBe(96 * 3 * 121 + 96); // 34944
    expect(r.flops).toBe(2 * 96 * 363 * 3025 + 96 * 3025); // 210830400 + 290400 = 211120800
  });

  it('same padding gives ceil(size / stride)', () => {
    expect(outputsOf('Conv2D', { in: [3, 32, 32] }, { padding: 'same' })).toEqual([[16, 32, 32]]);
    expect(outputsOf('Conv2D', { in: [3, 28, 28] }, { padding: 'same', stride: [2, 2] })).toEqual([[16, 14, 14]]);
    expect(outputsOf('Conv2D', { in: [3, 7, 7] }, { padding: 'same', stride: [2, 2] })).toEqual([[16, 4, 4]]);
    expect(outputsOf('Conv2D', { in: [3, 7, 9] }, { padding: 'same', kernel: [3, 5], stride: [3, 2] })).toEqual([[16, 3, 5]]);
  });

  it('explicit padding pads each side by pad, and is ignored otherwise', () => {
    expect(outputsOf('Conv2D', { in: [1, 28, 28] }, { padding: 'explicit', pad: [1, 1] })).toEqual([[16, 28, 28]]);
    expect(outputsOf('Conv2D', { in: [1, 28, 28] }, { padding: 'explicit', pad: [2, 0], kernel: [5, 5] })).toEqual([[16, 28, 24]]);
    expect(outputsOf('Conv2D', { in: [1, 28, 28] }, { padding: 'valid', pad: [2, 2] })).toEqual([[16, 26, 26]]);
    // ResNet stem: 7×7 stride 2 pad 3 on 224 → floor((224 + 6 − 7) / 2) + 1 = 112.
    expect(outputsOf('Conv2D', { in: [3, 224, 224] }, { filters: 64, kernel: [7, 7], stride: [2, 2], padding: 'explicit', pad: [3, 3] })).toEqual([[64, 112, 112]]);
  });

  it('dilation widens the kernel without adding weights', () => {
    const r = run('Conv2D', { in: [1, 28, 28] }, { dilation: [2, 2] }); // 3×3 spans 5×5
    expect(r.outputs).toEqual([[16, 24, 24]]);
    expect(r.params).toBe(16 * 9 + 16);
    expect(outputsOf('Conv2D', { in: [1, 28, 28] }, { dilation: [2, 2], padding: 'same' })).toEqual([[16, 28, 28]]);
  });

  it('groups divide the weights each filter sees', () => {
    const grouped = run('Conv2D', { in: [32, 8, 8] }, { filters: 64, groups: 4 });
    expect(grouped.outputs).toEqual([[64, 6, 6]]);
    expect(grouped.params).toBe(64 * 8 * 9 + 64); // 4672
    expect(grouped.flops).toBe(2 * 64 * 8 * 9 * 36 + 64 * 36); // 331776 + 2304 = 334080
    const depthwise = run('Conv2D', { in: [32, 8, 8] }, { filters: 32, groups: 32, bias: false, padding: 'same' });
    expect(depthwise.params).toBe(32 * 9); // 288
    expect(depthwise.flops).toBe(2 * 32 * 9 * 64); // 36864
  });

  it('refuses groups that do not divide channels or filters, on param groups', () => {
    const channels = faultOf('Conv2D', { in: [32, 8, 8] }, { groups: 3, filters: 12 });
    expectFault(channels, 'SHAPE_CHANNELS', { param: 'groups' });
    expect(channels.message.en).toContain('32');
    expectFault(faultOf('Conv2D', { in: [32, 8, 8] }, { groups: 4, filters: 10 }), 'SHAPE_CHANNELS', { param: 'groups' });
  });

  it('refuses a kernel larger than the (padded) input, on param kernel', () => {
    const f = faultOf('Conv2D', { in: [1, 4, 4] }, { kernel: [5, 5] });
    expectFault(f, 'SHAPE_TOO_SMALL', { param: 'kernel' });
    expect(f.message.en).toContain('[N,1,4,4]');
    expect(f.hint.en).toContain('same');
    expect(outputsOf('Conv2D', { in: [1, 4, 4] }, { kernel: [5, 5], padding: 'same' })).toEqual([[16, 4, 4]]);
    expect(outputsOf('Conv2D', { in: [1, 5, 5] }, { kernel: [5, 5] })).toEqual([[16, 1, 1]]);
    expectFault(faultOf('Conv2D', { in: [1, 5, 5] }, { dilation: [3, 3] }), 'SHAPE_TOO_SMALL', { param: 'kernel' }); // spans 7
  });

  it('refuses a vector on port in and suggests an image shape', () => {
    const f = faultOf('Conv2D', { in: [784] });
    expectFault(f, 'SHAPE_RANK', { port: 'in' });
    expect(f.message.en).toContain('[N,784]');
    expect(f.hint.en).toContain('Reshape');
    expect(f.hint.en).toContain('[N,1,28,28]');
    expect(faultOf('Conv2D', { in: [3072] }).hint.en).toContain('[N,3,32,32]');
  });
});

describe('pooling', () => {
  it('MaxPool 2×2 stride 2 halves height and width at kh·kw FLOPs per output', () => {
    const r = run('MaxPool', { in: [6, 24, 24] });
    expect(r.outputs).toEqual([[6, 12, 12]]);
    expect(r.params).toBe(0);
    expect(r.flops).toBe(4 * 6 * 12 * 12); // 3456
  });

  it('floors with valid padding and rounds up with same', () => {
    expect(outputsOf('MaxPool', { in: [16, 5, 5] })).toEqual([[16, 2, 2]]);
    expect(outputsOf('MaxPool', { in: [16, 5, 5] }, { padding: 'same' })).toEqual([[16, 3, 3]]);
    expect(outputsOf('AvgPool', { in: [16, 5, 5] }, { kernel: [3, 3], stride: [1, 1], padding: 'explicit', pad: [1, 1] })).toEqual([[16, 5, 5]]);
    // ResNet max pool: 3×3 stride 2 pad 1 on 112 → floor((112 + 2 − 3) / 2) + 1 = 56.
    expect(outputsOf('MaxPool', { in: [64, 112, 112] }, { kernel: [3, 3], padding: 'explicit', pad: [1, 1] })).toEqual([[64, 56, 56]]);
  });

  it('AvgPool costs kh·kw per output, LpPool 2·kh·kw + 1', () => {
    expect(run('AvgPool', { in: [16, 26, 26] }).flops).toBe(4 * 16 * 13 * 13); // 10816
    expect(run('LpPool', { in: [16, 26, 26] }).flops).toBe(9 * 16 * 13 * 13); // 24336
    expect(run('LpPool', { in: [16, 27, 27] }, { kernel: [3, 3], stride: [3, 3] }).flops).toBe(19 * 16 * 9 * 9); // 24624
  });

  it.each(['MaxPool', 'AvgPool', 'LpPool'])('%s refuses an image smaller than its window, and padding as wide as the kernel', (type) => {
    expectFault(faultOf(type, { in: [8, 1, 1] }), 'SHAPE_TOO_SMALL', { param: 'kernel' });
    const pad = faultOf(type, { in: [8, 6, 6] }, { padding: 'explicit', pad: [2, 1] });
    expectFault(pad, 'SHAPE_TOO_SMALL', { param: 'pad' });
    expect(pad.hint.en).toContain('[1,1]');
    expectFault(faultOf(type, { in: [8, 36] }), 'SHAPE_RANK', { port: 'in' });
  });
});

describe('GlobalAvgPool, Flatten, Reshape', () => {
  it('GlobalAvgPool averages each channel to one value', () => {
    const r = run('GlobalAvgPool', { in: [512, 7, 7] });
    expect(r.outputs).toEqual([[512]]);
    expect(r.flops).toBe(25088);
    expectFault(faultOf('GlobalAvgPool', { in: [512] }), 'SHAPE_RANK', { port: 'in' });
  });

  it('Flatten multiplies all axes, at no cost', () => {
    expect(run('Flatten', { in: [64, 7, 7] })).toMatchObject({ outputs: [[3136]], params: 0, flops: 0 });
    expect(outputsOf('Flatten', { in: [10] })).toEqual([[10]]);
    expectFault(faultOf('Flatten', { in: [] }), 'SHAPE_RANK', { port: 'in' });
  });

  it('Reshape regroups the elements and infers one −1', () => {
    expect(run('Reshape', { in: [784] })).toMatchObject({ outputs: [[1, 28, 28]], params: 0, flops: 0 });
    expect(outputsOf('Reshape', { in: [3136] }, { shape: [-1, 7, 7] })).toEqual([[64, 7, 7]]);
    expect(outputsOf('Reshape', { in: [64, 7, 7] }, { shape: [-1] })).toEqual([[3136]]);
  });

  it('Reshape names both element counts when they differ', () => {
    const f = faultOf('Reshape', { in: [784] }, { shape: [1, 28, 27] });
    expectFault(f, 'SHAPE_RESHAPE', { param: 'shape' });
    expect(f.message.en).toContain('756');
    expect(f.message.en).toContain('784');
    expect(f.message.ja).toContain('756');
  });

  it('Reshape refuses 0, several −1 and a −1 that cannot divide evenly', () => {
    expectFault(faultOf('Reshape', { in: [784] }, { shape: [0, 784] }), 'SHAPE_RESHAPE', { param: 'shape' });
    expectFault(faultOf('Reshape', { in: [784] }, { shape: [-1, -1, 4] }), 'SHAPE_RESHAPE', { param: 'shape' });
    const uneven = faultOf('Reshape', { in: [100] }, { shape: [-1, 3] });
    expectFault(uneven, 'SHAPE_RESHAPE', { param: 'shape' });
    expect(uneven.message.en).toContain('100');
  });
});

// ---------------------------------------------------------------------------------------------
// Structure

describe('Add', () => {
  it('grows its ports with the inputs param', () => {
    expect(spec('Add').inputs(paramsOf('Add')).map((p) => p.name)).toEqual(['in0', 'in1']);
    expect(spec('Add').inputs(paramsOf('Add', { inputs: 4 })).map((p) => p.name)).toEqual(['in0', 'in1', 'in2', 'in3']);
    expect(spec('Add').inputs(paramsOf('Add', { inputs: 4 })).every((p) => !p.optional)).toBe(true);
  });

  it('costs n − 1 adds per element', () => {
    expect(run('Add', { in0: [64, 8, 8], in1: [64, 8, 8] }).flops).toBe(4096);
    expect(run('Add', { in0: [10], in1: [10], in2: [10] }, { inputs: 3 }).flops).toBe(20);
  });

  it('names the first port whose shape differs, with both shapes, and suggests a projection', () => {
    const f = faultOf('Add', { in0: [64, 8, 8], in1: [128, 4, 4] });
    expectFault(f, 'SHAPE_MISMATCH', { port: 'in1' });
    expect(f.message.en).toContain('[N,64,8,8]');
    expect(f.message.en).toContain('[N,128,4,4]');
    expect(f.hint.en).toContain('1×1 Conv2D');
    const third = faultOf('Add', { in0: [10], in1: [10], in2: [12], in3: [9] }, { inputs: 4 });
    expectFault(third, 'SHAPE_MISMATCH', { port: 'in2' });
  });
});

describe('Concat', () => {
  it('joins on the channel axis by default and sums that axis', () => {
    expect(run('Concat', { in0: [32, 14, 14], in1: [16, 14, 14] })).toMatchObject({ outputs: [[48, 14, 14]], params: 0, flops: 0 });
    expect(outputsOf('Concat', { in0: [64], in1: [10] }, { axis: -1 })).toEqual([[74]]);
    expect(outputsOf('Concat', { in0: [2, 3, 4], in1: [2, 5, 4], in2: [2, 1, 4] }, { inputs: 3, axis: 1 })).toEqual([[2, 9, 4]]);
    expect(outputsOf('Concat', { in0: [2, 3, 4], in1: [2, 3, 6] }, { axis: -1 })).toEqual([[2, 3, 10]]);
  });

  it('refuses mismatched ranks and mismatched other axes on the offending port', () => {
    expectFault(faultOf('Concat', { in0: [32, 14, 14], in1: [10] }), 'SHAPE_MISMATCH', { port: 'in1' });
    const other = faultOf('Concat', { in0: [32, 14, 14], in1: [16, 14, 14], in2: [16, 7, 7] }, { inputs: 3 });
    expectFault(other, 'SHAPE_MISMATCH', { port: 'in2' });
    expect(other.message.en).toContain('[N,16,7,7]');
    expect(other.message.en).toContain('[N,32,14,14]');
  });

  it('refuses an axis the inputs do not have, on param axis', () => {
    expectFault(faultOf('Concat', { in0: [64], in1: [10] }, { axis: 1 }), 'SHAPE_RANK', { param: 'axis' });
    expectFault(faultOf('Concat', { in0: [64], in1: [10] }, { axis: -2 }), 'SHAPE_RANK', { param: 'axis' });
  });
});
