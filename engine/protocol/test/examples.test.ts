// Shape inference, parameter counts and FLOPs of the example graphs in assets/examples,
// against numbers worked out by hand (docs/catalog.md gives the counting conventions:
// a multiply-add is 2 FLOPs, a bias add or elementwise function 1 per element, a pooling
// window k*k per output element).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadDocument } from '../load.js';
import { validateGraph, type GraphReport } from '../validate.js';

function report(name: string): GraphReport {
  const source = readFileSync(new URL(`../../../assets/examples/${name}.netwright.json`, import.meta.url), 'utf8');
  const loaded = loadDocument(source);
  expect(loaded.diagnostics).toEqual([]);
  const result = validateGraph(loaded.document!);
  expect(result.diagnostics).toEqual([]);
  return result;
}

function node(r: GraphReport, id: string) {
  const info = r.nodes.get(id);
  if (!info?.outputs) throw new Error(`no shapes for ${id}`);
  return { out: info.outputs[0], params: info.paramCount, flops: info.flops };
}

describe('MNIST MLP: 784 → 128 → ReLU → 10 → cross-entropy', () => {
  const r = report('mnist-mlp');
  it('shapes', () => {
    expect(node(r, 'input').out).toEqual([784]);
    expect(node(r, 'hidden').out).toEqual([128]);
    expect(node(r, 'relu').out).toEqual([128]);
    expect(node(r, 'logits').out).toEqual([10]);
    expect(node(r, 'loss').out).toEqual([]);
    expect(r.edgeShapes.get('e1')).toEqual([784]);
    expect(r.edgeShapes.get('e4')).toEqual([10]);
  });
  it('parameters: 784·128+128 and 128·10+10', () => {
    expect(node(r, 'hidden').params).toBe(100_480);
    expect(node(r, 'logits').params).toBe(1_290);
    expect(r.totals.paramCount).toBe(101_770);
  });
  it('FLOPs: 2·784·128+128, 128 ReLUs, 2·128·10+10', () => {
    expect(node(r, 'hidden').flops).toBe(200_832);
    expect(node(r, 'relu').flops).toBe(128);
    expect(node(r, 'logits').flops).toBe(2_570);
  });
});

describe('LeNet-5 on 28×28 digits', () => {
  const r = report('lenet');
  it('shapes', () => {
    expect(node(r, 'conv1').out).toEqual([6, 28, 28]); // 5×5 "same"
    expect(node(r, 'pool1').out).toEqual([6, 14, 14]);
    expect(node(r, 'conv2').out).toEqual([16, 10, 10]); // 14 − 5 + 1
    expect(node(r, 'pool2').out).toEqual([16, 5, 5]);
    expect(node(r, 'flatten').out).toEqual([400]);
    expect(node(r, 'fc1').out).toEqual([120]);
    expect(node(r, 'fc2').out).toEqual([84]);
    expect(node(r, 'fc3').out).toEqual([10]);
  });
  it('parameters: the classic 61,706', () => {
    expect(node(r, 'conv1').params).toBe(6 * 1 * 5 * 5 + 6); // 156
    expect(node(r, 'conv2').params).toBe(16 * 6 * 5 * 5 + 16); // 2,416
    expect(node(r, 'fc1').params).toBe(400 * 120 + 120); // 48,120
    expect(node(r, 'fc2').params).toBe(120 * 84 + 84); // 10,164
    expect(node(r, 'fc3').params).toBe(84 * 10 + 10); // 850
    expect(r.totals.paramCount).toBe(61_706);
  });
  it('FLOPs', () => {
    expect(node(r, 'conv1').flops).toBe(239_904); // 2·6·25·784 + 6·784
    expect(node(r, 'pool1').flops).toBe(4_704); // 4 · 6·14·14
    expect(node(r, 'conv2').flops).toBe(481_600); // 2·16·6·25·100 + 16·100
    expect(node(r, 'pool2').flops).toBe(1_600); // 4 · 16·5·5
    expect(node(r, 'flatten').flops).toBe(0);
    expect(node(r, 'fc1').flops).toBe(96_120);
    expect(node(r, 'fc2').flops).toBe(20_244);
    expect(node(r, 'fc3').flops).toBe(1_690);
  });
});

describe('residual block on 3×32×32 images', () => {
  const r = report('residual-block');
  it('shapes: the identity shortcut keeps [16,32,32]', () => {
    for (const id of ['stem', 'conv_a', 'conv_b', 'add', 'relu_out']) expect(node(r, id).out).toEqual([16, 32, 32]);
    expect(node(r, 'gap').out).toEqual([16]);
    expect(node(r, 'fc').out).toEqual([10]);
  });
  it('parameters', () => {
    expect(node(r, 'stem').params).toBe(16 * 3 * 9 + 16); // 448
    expect(node(r, 'conv_a').params).toBe(16 * 16 * 9 + 16); // 2,320
    expect(node(r, 'add').params).toBe(0);
    expect(r.totals.paramCount).toBe(448 + 2_320 + 2_320 + 170);
  });
  it('FLOPs', () => {
    expect(node(r, 'stem').flops).toBe(901_120); // 2·16·3·9·1024 + 16·1024
    expect(node(r, 'conv_a').flops).toBe(4_734_976); // 2·16·16·9·1024 + 16·1024
    expect(node(r, 'add').flops).toBe(16_384); // one add per element
    expect(node(r, 'gap').flops).toBe(16_384);
    expect(node(r, 'fc').flops).toBe(330);
  });
});
