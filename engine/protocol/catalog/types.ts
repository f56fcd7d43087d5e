// The contract every node type in the catalog fulfils. The catalog is the single source of
// truth (DESIGN.md §3): palette, inspector, validation, shape inference, the engine's layer
// construction and the exporters all read these entries and nothing else.

import type { Shape } from '../shape.js';
import type { Text } from '../text.js';

export type Family =
  | 'input'
  | 'dense'
  | 'activation'
  | 'loss'
  | 'regularization'
  | 'convolution'
  | 'structure';

export const FAMILIES: readonly Family[] = ['input', 'dense', 'activation', 'convolution', 'regularization', 'structure', 'loss'];

/** What a node is for, beyond its shape rule: validation needs an input and a loss. */
export type NodeRole = 'input' | 'layer' | 'loss';

export type ParamValue = number | boolean | string | readonly number[];
export type Params = Readonly<Record<string, ParamValue>>;

interface ParamBase {
  readonly name: string;
  readonly label: Text;
  readonly help: Text;
}

export interface IntParam extends ParamBase {
  readonly kind: 'int';
  readonly default: number;
  readonly min: number;
  readonly max: number;
}

export interface FloatParam extends ParamBase {
  readonly kind: 'float';
  readonly default: number;
  readonly min: number;
  readonly max: number;
  /** When true the bound is excluded (a learning rate or probability that must stay below 1). */
  readonly maxExclusive?: boolean;
  readonly minExclusive?: boolean;
}

export interface BoolParam extends ParamBase {
  readonly kind: 'bool';
  readonly default: boolean;
}

export interface EnumParam extends ParamBase {
  readonly kind: 'enum';
  readonly default: string;
  readonly options: readonly { readonly value: string; readonly label: Text }[];
}

/** A short list of integers: a shape, a kernel size [h, w], strides, paddings. */
export interface IntsParam extends ParamBase {
  readonly kind: 'ints';
  readonly default: readonly number[];
  readonly minLength: number;
  readonly maxLength: number;
  readonly min: number;
  readonly max: number;
}

export type ParamSpec = IntParam | FloatParam | BoolParam | EnumParam | IntsParam;

export interface PortSpec {
  readonly name: string;
  readonly label: Text;
  /** An optional input may stay unconnected (a loss's target comes from the dataset then). */
  readonly optional?: boolean;
}

/** A shape rule's refusal: which port or parameter is at fault, why, and how to fix it. */
export interface ShapeFault {
  readonly fault: true;
  readonly code: ShapeFaultCode;
  readonly port?: string;
  readonly param?: string;
  readonly message: Text;
  readonly hint: Text;
}

export type ShapeFaultCode =
  | 'SHAPE_RANK'
  | 'SHAPE_MISMATCH'
  | 'SHAPE_TOO_SMALL'
  | 'SHAPE_RESHAPE'
  | 'SHAPE_CHANNELS'
  | 'SHAPE_TARGET';

/** Input shapes by port name; an optional port that is unconnected is absent. */
export type PortShapes = Readonly<Record<string, Shape>>;

export interface NodeSpec<P extends Params = Params> {
  readonly type: string;
  readonly family: Family;
  readonly role: NodeRole;
  readonly label: Text;
  /** One line for the palette. */
  readonly summary: Text;
  /** A paragraph for the help panel: what it does and when to use it. */
  readonly explanation: Text;
  /** The defining formula, in TeX. */
  readonly formula: string;
  readonly params: readonly ParamSpec[];
  /** Input ports; a function because Add and Concat grow ports with their `inputs` param. */
  readonly inputs: (params: P) => readonly PortSpec[];
  readonly outputs: readonly PortSpec[];
  /** Output shapes, in the order of `outputs`, or the reason there are none. */
  readonly infer: (inputs: PortShapes, params: P) => readonly Shape[] | ShapeFault;
  /** Trainable parameters (weights, biases, scales), given inferred shapes. */
  readonly paramCount: (inputs: PortShapes, params: P) => number;
  /**
   * Forward floating-point operations for one sample. A multiply-add counts as 2, a bias add,
   * comparison or elementwise function as 1 per element (docs/catalog.md).
   */
  readonly flops: (inputs: PortShapes, outputs: readonly Shape[], params: P) => number;
}

/** Declares a node with typed params; the catalog stores it type-erased. */
export function defineNode<P extends Params>(spec: NodeSpec<P>): NodeSpec {
  return spec as unknown as NodeSpec;
}

export function isFault(x: readonly Shape[] | ShapeFault): x is ShapeFault {
  return (x as ShapeFault).fault === true;
}

export function fault(
  code: ShapeFaultCode,
  where: { port?: string; param?: string },
  message: Text,
  hint: Text,
): ShapeFault {
  return { fault: true, code, ...where, message, hint };
}
