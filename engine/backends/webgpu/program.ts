// What a WGSL compute program is here (tfjs' WebGPUProgram, cut down): a cache key, the
// element types of its storage bindings, a workgroup size and a body; shaderSource() wraps the
// body in the bindings, the uniform accessors and the entry point every program shares.

import type { DType } from '../backend.js';

/** Element type of a storage binding. Data-movement kernels bind `u32` and copy bits. */
export type Scalar = 'f32' | 'i32' | 'u32';

export interface Program {
  /** Everything the WGSL depends on; programs with equal keys share one pipeline. */
  readonly key: string;
  /** Element types of the read-only bindings in0, in1, ... */
  readonly inputs: readonly Scalar[];
  /** Element types of the read-write bindings out0, ... */
  readonly outputs: readonly Scalar[];
  readonly workgroupSize: number;
  /** Module-scope WGSL: helper functions, `var<workgroup>` arrays. */
  readonly module?: string;
  /**
   * The entry point's body. In scope: `index` (global invocation, flattened over the 2-D grid),
   * `group` (workgroup, flattened), `local` (invocation within the workgroup) and the uniform
   * accessors pu(i)/pi(i)/pf(i) reading word i of the parameter block.
   */
  readonly main: string;
}

/** Words in one parameter block (one 256-byte slot of the uniform ring: 16 × vec4<u32>). */
export const PARAM_WORDS = 64;

/** WebGPU's default (and minimum guaranteed) maxComputeWorkgroupsPerDimension. */
export const MAX_GROUPS_PER_DIM = 65535;

export function scalarOf(dtype: DType): 'f32' | 'i32' {
  return dtype === 'int32' ? 'i32' : 'f32';
}

/**
 * The parameter block of one dispatch: u32, i32 and f32 words, encoded into the uniform ring.
 * Shapes, strides and attributes travel here rather than in the WGSL, so one pipeline serves
 * every shape of a given rank.
 */
export class Params {
  private readonly words: number[] = [];
  private readonly kinds: ('u' | 'i' | 'f')[] = [];

  u(...values: readonly number[]): this {
    for (const v of values) this.push('u', v);
    return this;
  }

  i(...values: readonly number[]): this {
    for (const v of values) this.push('i', v);
    return this;
  }

  f(...values: readonly number[]): this {
    for (const v of values) this.push('f', v);
    return this;
  }

  get length(): number {
    return this.words.length;
  }

  /** Writes the block at `byteOffset` of `view`. */
  encode(view: DataView, byteOffset: number): void {
    for (let k = 0; k < this.words.length; k++) {
      const at = byteOffset + 4 * k;
      const v = this.words[k]!;
      if (this.kinds[k] === 'f') view.setFloat32(at, v, true);
      else if (this.kinds[k] === 'i') view.setInt32(at, v, true);
      else view.setUint32(at, v >>> 0, true);
    }
  }

  private push(kind: 'u' | 'i' | 'f', v: number): void {
    if (this.words.length >= PARAM_WORDS) throw new RangeError(`webgpu backend: more than ${PARAM_WORDS} parameter words`);
    if (kind !== 'f' && !Number.isInteger(v)) throw new RangeError(`webgpu backend: parameter ${v} is not an integer`);
    if (kind === 'u' && (v < 0 || v > 0xffffffff)) throw new RangeError(`webgpu backend: ${v} does not fit a u32 (tensor too large?)`);
    this.words.push(v);
    this.kinds.push(kind);
  }
}

/** The full WGSL module of a program. */
export function shaderSource(p: Program): string {
  const lines: string[] = [
    `struct ParamBlock { v: array<vec4<u32>, ${PARAM_WORDS / 4}> }`,
    '@group(0) @binding(0) var<uniform> P: ParamBlock;',
  ];
  p.inputs.forEach((t, k) => lines.push(`@group(0) @binding(${k + 1}) var<storage, read> in${k}: array<${t}>;`));
  p.outputs.forEach((t, k) => lines.push(`@group(0) @binding(${p.inputs.length + k + 1}) var<storage, read_write> out${k}: array<${t}>;`));
  lines.push(
    'fn pu(i: u32) -> u32 { return P.v[i / 4u][i % 4u]; }',
    'fn pi(i: u32) -> i32 { return bitcast<i32>(pu(i)); }',
    'fn pf(i: u32) -> f32 { return bitcast<f32>(pu(i)); }',
    p.module ?? '',
    `@compute @workgroup_size(${p.workgroupSize})`,
    'fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_index) local: u32,',
    '        @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {',
    `  let index = gid.x + gid.y * nwg.x * ${p.workgroupSize}u;`,
    '  let group = wid.x + wid.y * nwg.x;',
    p.main,
    '}',
  );
  return lines.join('\n');
}

/**
 * A 1-D count of workgroups laid out on the 2-D grid: WebGPU caps each dimension at 65,535
 * workgroups, so large launches wrap into y (the shader flattens `index`/`group` back, and
 * guards against the few extra workgroups of the last row).
 */
export function grid(workgroups: number): [number, number] {
  if (workgroups <= MAX_GROUPS_PER_DIM) return [Math.max(1, workgroups), 1];
  const y = Math.ceil(workgroups / MAX_GROUPS_PER_DIM);
  const x = Math.ceil(workgroups / y);
  return [x, y];
}

/** Row-major strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  let s = 1;
  for (let k = shape.length - 1; k >= 0; k--) {
    out[k] = s;
    s *= shape[k]!;
  }
  return out;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * WGSL that turns the flat index `i` into an offset: unravel over the R dimensions whose sizes
 * are parameter words [shapeAt, shapeAt+R) and sum coordinate × stride with the strides at
 * [strideAt, strideAt+R). Used by every strided kernel; R is baked in (it is in the key).
 */
export function offsetFunction(name: string, rank: number, shapeAt: string, strideAt: string): string {
  if (rank === 0) return `fn ${name}(i: u32) -> u32 { return 0u; }`;
  return `fn ${name}(i: u32) -> u32 {
  var rem = i;
  var off = 0u;
  for (var k: i32 = ${rank - 1}; k >= 0; k = k - 1) {
    let d = pu(${shapeAt} + u32(k));
    off = off + (rem % d) * pu(${strideAt} + u32(k));
    rem = rem / d;
  }
  return off;
}`;
}
