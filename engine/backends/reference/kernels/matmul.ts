// Reference 2-D matrix product with optional transposed operands: the triple loop, float64.

import { check, rankIs, type Kernel } from './buffer.js';

export const matMulKernel: Kernel<'MatMul'> = ([a, b], [out], { transA, transB }) => {
  rankIs(a!, 2, 'MatMul', 'a');
  rankIs(b!, 2, 'MatMul', 'b');
  const [a0, a1] = a!.shape as [number, number];
  const [b0, b1] = b!.shape as [number, number];
  const m = transA ? a1 : a0;
  const k = transA ? a0 : a1;
  const kb = transB ? b1 : b0;
  const n = transB ? b0 : b1;
  check(k === kb, `MatMul: inner dimensions differ (${k} vs ${kb})`);
  check(out!.shape[0] === m && out!.shape[1] === n, `MatMul: output must be [${m},${n}]`);
  const A = a!.data;
  const B = b!.data;
  const C = out!.data;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) {
        const av = transA ? A[p * a1 + i]! : A[i * a1 + p]!;
        const bv = transB ? B[j * b1 + p]! : B[p * b1 + j]!;
        sum += av * bv;
      }
      C[i * n + j] = sum;
    }
  }
};
