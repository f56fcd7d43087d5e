// Reference data-movement kernels: Transpose, Slice, Pad, Concat, Gather, ScatterAdd, OneHot.
// Each maps output coordinates to input coordinates (or the reverse) one element at a time.

import { check, sizeOfShape, strides, unravel, type Kernel } from './buffer.js';

export const transposeKernel: Kernel<'Transpose'> = ([x], [out], { perm }) => {
  const rank = x!.shape.length;
  check(perm.length === rank, `Transpose: perm [${perm.join(',')}] for rank ${rank}`);
  const xStrides = strides(x!.shape);
  const coords = new Array<number>(rank).fill(0);
  const dst = out!.data;
  for (let i = 0; i < dst.length; i++) {
    unravel(i, out!.shape, coords);
    // out axis k is x axis perm[k].
    let o = 0;
    for (let k = 0; k < rank; k++) o += coords[k]! * xStrides[perm[k]!]!;
    dst[i] = x!.data[o]!;
  }
};

export const sliceKernel: Kernel<'Slice'> = ([x], [out], { begin }) => {
  const rank = x!.shape.length;
  check(begin.length === rank && out!.shape.length === rank, `Slice: begin [${begin.join(',')}] for rank ${rank}`);
  for (let k = 0; k < rank; k++) {
    check(begin[k]! >= 0 && begin[k]! + out!.shape[k]! <= x!.shape[k]!, `Slice: axis ${k} out of bounds`);
  }
  const xStrides = strides(x!.shape);
  const coords = new Array<number>(rank).fill(0);
  const dst = out!.data;
  for (let i = 0; i < dst.length; i++) {
    unravel(i, out!.shape, coords);
    let o = 0;
    for (let k = 0; k < rank; k++) o += (coords[k]! + begin[k]!) * xStrides[k]!;
    dst[i] = x!.data[o]!;
  }
};

export const padKernel: Kernel<'Pad'> = ([x], [out], { before, value }) => {
  const rank = x!.shape.length;
  check(before.length === rank && out!.shape.length === rank, `Pad: before [${before.join(',')}] for rank ${rank}`);
  for (let k = 0; k < rank; k++) {
    check(before[k]! >= 0 && before[k]! + x!.shape[k]! <= out!.shape[k]!, `Pad: axis ${k} does not fit`);
  }
  const outStrides = strides(out!.shape);
  const coords = new Array<number>(rank).fill(0);
  const dst = out!.data;
  dst.fill(value);
  for (let i = 0; i < x!.data.length; i++) {
    unravel(i, x!.shape, coords);
    let o = 0;
    for (let k = 0; k < rank; k++) o += (coords[k]! + before[k]!) * outStrides[k]!;
    dst[o] = x!.data[i]!;
  }
};

export const concatKernel: Kernel<'Concat'> = (inputs, [out], { axis }) => {
  const shape = out!.shape;
  check(axis >= 0 && axis < shape.length, `Concat: axis ${axis} out of range`);
  let outer = 1;
  let inner = 1;
  for (let k = 0; k < axis; k++) outer *= shape[k]!;
  for (let k = axis + 1; k < shape.length; k++) inner *= shape[k]!;
  const outRow = shape[axis]! * inner;
  const dst = out!.data;
  let at = 0; // where this input starts along the axis, in elements of one outer row
  for (const x of inputs) {
    const row = x.shape[axis]! * inner;
    check(x.data.length === outer * row, 'Concat: input shapes do not match the output');
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < row; j++) dst[o * outRow + at + j] = x.data[o * row + j]!;
    }
    at += row;
  }
  check(at === outRow, 'Concat: inputs do not fill the output');
};

function rowIndex(kernel: string, index: number, rows: number): number {
  check(Number.isInteger(index) && index >= 0 && index < rows, `${kernel}: index ${index} is outside [0, ${rows})`);
  return index;
}

/** out[i, …] = x[indices[i], …]: rows of x picked by `indices` (any shape). */
export const gatherKernel: Kernel<'Gather'> = ([x, indices], [out]) => {
  check(indices!.dtype === 'int32', 'Gather: indices must be int32');
  const rows = x!.shape[0]!;
  const rowSize = sizeOfShape(x!.shape.slice(1));
  const dst = out!.data;
  check(dst.length === indices!.data.length * rowSize, 'Gather: output size');
  for (let i = 0; i < indices!.data.length; i++) {
    const r = rowIndex('Gather', indices!.data[i]!, rows);
    for (let j = 0; j < rowSize; j++) dst[i * rowSize + j] = x!.data[r * rowSize + j]!;
  }
};

/** out = zeros; out[indices[i], …] += updates[i, …]. Gather's transpose. */
export const scatterAddKernel: Kernel<'ScatterAdd'> = ([updates, indices], [out]) => {
  check(indices!.dtype === 'int32', 'ScatterAdd: indices must be int32');
  const rows = out!.shape[0]!;
  const rowSize = sizeOfShape(out!.shape.slice(1));
  check(updates!.data.length === indices!.data.length * rowSize, 'ScatterAdd: updates size');
  const dst = out!.data;
  dst.fill(0);
  for (let i = 0; i < indices!.data.length; i++) {
    const r = rowIndex('ScatterAdd', indices!.data[i]!, rows);
    for (let j = 0; j < rowSize; j++) dst[r * rowSize + j] = dst[r * rowSize + j]! + updates!.data[i * rowSize + j]!;
  }
};

/** out[…, k] = 1 where k = indices[…]; an index outside [0, depth) gives a row of zeros (as tf.oneHot). */
export const oneHotKernel: Kernel<'OneHot'> = ([indices], [out], { depth }) => {
  const dst = out!.data;
  check(dst.length === indices!.data.length * depth, 'OneHot: output size');
  dst.fill(0);
  for (let i = 0; i < indices!.data.length; i++) {
    const k = indices!.data[i]!;
    if (k >= 0 && k < depth) dst[i * depth + k] = 1;
  }
};
