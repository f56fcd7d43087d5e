// Core tests: shape arithmetic (broadcasting, axes, reshape inference) and the Tensor handle's
// creation and lifetime helpers (persist, assign, dispose, variable).

import { describe, expect, it } from 'vitest';
import { ReferenceBackend } from '../backends/reference/reference.js';
import { broadcastShapes, inferReshape, normaliseAxes, normaliseAxis, reducedShape, sizeOf, stridesOf, windowOutput } from './shape.js';
import { assign, fill, fromValues, ones, persist, scalar, variable, zeros, zerosLike } from './tensor.js';

describe('shape helpers', () => {
  it('sizes and row-major strides', () => {
    expect(sizeOf([])).toBe(1);
    expect(sizeOf([2, 3, 4])).toBe(24);
    expect(stridesOf([2, 3, 4])).toEqual([12, 4, 1]);
  });

  it('broadcasts NumPy-style and names the op when shapes clash', () => {
    expect(broadcastShapes([2, 1, 4], [3, 1])).toEqual([2, 3, 4]);
    expect(broadcastShapes([], [2, 3])).toEqual([2, 3]);
    const same = [2, 3];
    expect(broadcastShapes(same, [2, 3])).toBe(same);
    expect(() => broadcastShapes([2, 3], [4, 3], 'add')).toThrow('add: shapes [2,3] and [4,3] do not broadcast (axis 0: 2 vs 4)');
  });

  it('normalises axes: negative from the end, sorted, no duplicates', () => {
    expect(normaliseAxis(-1, 3)).toBe(2);
    expect(normaliseAxes([-1, 0], 3)).toEqual([0, 2]);
    expect(normaliseAxes(undefined, 3)).toEqual([0, 1, 2]);
    expect(() => normaliseAxis(3, 3, 'sum')).toThrow('sum: axis 3 is out of range for a tensor of rank 3');
    expect(() => normaliseAxes([1, -2], 3, 'sum')).toThrow(/listed twice/);
    expect(reducedShape([2, 3, 4], [0, 2], true)).toEqual([1, 3, 1]);
    expect(reducedShape([2, 3, 4], [0, 2], false)).toEqual([3]);
  });

  it('infers one −1 in a reshape', () => {
    expect(inferReshape(24, [2, -1, 3])).toEqual([2, 4, 3]);
    expect(() => inferReshape(24, [5, -1])).toThrow(/cannot infer/);
    expect(() => inferReshape(24, [5, 5])).toThrow(/cannot reshape 24 elements/);
    expect(() => inferReshape(24, [-1, -1])).toThrow(/only one/);
  });

  it('window output sizes', () => {
    expect(windowOutput(7, 3, 2, 1, 1)).toBe(4);
    expect(windowOutput(7, 3, 1, 0, 0, 2)).toBe(3);
  });
});

describe('Tensor creation and lifetimes', () => {
  it('creates tensors from values and constants', () => {
    const b = new ReferenceBackend();
    const t = fromValues(b, [2, 2], [1, 2, 3, 4]);
    expect(t.size).toBe(4);
    expect(t.rank).toBe(2);
    expect(t.lifetime).toBe('step');
    expect(t.requiresGrad).toBe(false);
    expect(Array.from(t.readSync())).toEqual([1, 2, 3, 4]);
    expect(Array.from(zeros(b, [2], 'int32').readSync())).toEqual([0, 0]);
    expect(Array.from(ones(b, [1, 2]).readSync())).toEqual([1, 1]);
    expect(Array.from(fill(b, [3], -1).readSync())).toEqual([-1, -1, -1]);
    expect(scalar(b, 5).shape).toEqual([]);
    expect(zerosLike(t).shape).toEqual([2, 2]);
    expect(() => fromValues(b, [2, 2], [1, 2, 3])).toThrow('fromValues: 3 values do not fill the shape [2,2] (4 elements)');
    expect(String(t)).toMatch(/^Tensor\(float32\[2,2\], step #\d+\)$/);
  });

  it('variables are persistent and require grad', () => {
    const b = new ReferenceBackend();
    const w = variable(b, [2], [0.5, -0.5]);
    expect(w.lifetime).toBe('persistent');
    expect(w.requiresGrad).toBe(true);
    b.endStep();
    expect(Array.from(w.readSync())).toEqual([0.5, -0.5]);
    w.dispose();
    expect(() => w.readSync()).toThrow(/already freed/);
  });

  it('persist keeps a step result past endStep; assign updates in place', () => {
    const b = new ReferenceBackend();
    const step = fromValues(b, [3], [1, 2, 3]);
    const kept = persist(step);
    b.endStep();
    expect(() => step.readSync()).toThrow(/used after endStep/);
    expect(Array.from(kept.readSync())).toEqual([1, 2, 3]);
    assign(kept, fromValues(b, [3], [7, 8, 9]));
    expect(Array.from(kept.readSync())).toEqual([7, 8, 9]);
    expect(() => assign(kept, fromValues(b, [2], [1, 2]))).toThrow('assign: cannot write float32[2] into float32[3]');
    expect(() => assign(kept, fromValues(b, [3], [1, 2, 3], 'int32'))).toThrow(/cannot write int32\[3\]/);
    // dispose() is a no-op for step tensors: the arena reclaims them.
    fromValues(b, [1], [0]).dispose();
  });
});
