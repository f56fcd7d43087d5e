// Checks `training.dataset.options` against the registry's option list before a reader runs:
// unknown names (typos), wrong types and out-of-range values become one clear DatasetError,
// and defaults are filled in, so readers see only valid, complete options.

import { DatasetError } from './dataset.js';
import type { DatasetInfo, DatasetOptions, OptionInfo, OptionValue } from './registry.js';

/** Options after checking: every option with a default is present. */
export type ResolvedOptions = Readonly<Record<string, OptionValue>>;

function describe(value: OptionValue): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function check(info: DatasetInfo, opt: OptionInfo, value: OptionValue): OptionValue {
  const where = `dataset "${info.name}", option "${opt.name}"`;
  const fail = (expected: string): never => {
    throw new DatasetError(`${where}: expected ${expected}, got ${describe(value)}`, undefined, `Fix training.dataset.options.${opt.name} in the graph.`);
  };
  switch (opt.type) {
    case 'boolean':
      if (typeof value !== 'boolean') fail('true or false');
      return value;
    case 'string':
      if (typeof value !== 'string') fail('a string');
      if (opt.choices && !opt.choices.includes(value as string)) fail(`one of ${opt.choices.map((c) => JSON.stringify(c)).join(', ')}`);
      return value;
    case 'integer':
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) fail('a number');
      const n = value as number;
      if (opt.type === 'integer' && !Number.isInteger(n)) fail('a whole number');
      if ((opt.min !== undefined && n < opt.min) || (opt.max !== undefined && n > opt.max)) {
        fail(`a number from ${opt.min ?? '-∞'} to ${opt.max ?? '∞'}`);
      }
      return n;
    }
    case 'column':
      if (typeof value === 'number' && !Number.isInteger(value)) fail('a column number or a header name');
      if (typeof value === 'boolean') fail('a column number or a header name');
      return value;
    case 'size':
      parseSize(value, where);
      return value;
  }
}

/** Checks `options` for dataset `info` and fills in defaults. */
export function resolveOptions(info: DatasetInfo, options: DatasetOptions | undefined): ResolvedOptions {
  const out: Record<string, OptionValue> = {};
  for (const [name, value] of Object.entries(options ?? {})) {
    const opt = info.options.find((o) => o.name === name);
    if (!opt) {
      const known = info.options.map((o) => o.name);
      throw new DatasetError(
        `dataset "${info.name}" has no option "${name}"`,
        undefined,
        known.length ? `Its options are: ${known.join(', ')}.` : `"${info.name}" takes no options; remove training.dataset.options.`,
      );
    }
    out[name] = check(info, opt, value);
  }
  for (const opt of info.options) if (!(opt.name in out) && opt.default !== undefined) out[opt.name] = opt.default;
  return out;
}

/** An image size option: `28` → [28, 28]; `"32x48"` (or `32,48`, `32×48`) → [32, 48] as [height, width]. */
export function parseSize(value: OptionValue, where = 'size'): [number, number] {
  const ok = (n: number) => Number.isInteger(n) && n >= 1 && n <= 4096;
  if (typeof value === 'number' && ok(value)) return [value, value];
  if (typeof value === 'string') {
    const m = /^\s*(\d+)\s*(?:[x×,*]\s*(\d+))?\s*$/i.exec(value);
    if (m) {
      const h = Number(m[1]);
      const w = m[2] === undefined ? h : Number(m[2]);
      if (ok(h) && ok(w)) return [h, w];
    }
  }
  throw new DatasetError(
    `${where}: expected a size like 28 or "32x48" (height × width, 1 to 4096), got ${describe(value)}`,
    undefined,
    'Write the size as one number for a square, or "HxW".',
  );
}

/** Reads a checked option as a number / string / boolean (undefined when absent). */
export function numberOption(options: ResolvedOptions, name: string): number | undefined {
  const v = options[name];
  return typeof v === 'number' ? v : undefined;
}
export function stringOption(options: ResolvedOptions, name: string): string | undefined {
  const v = options[name];
  return typeof v === 'string' ? v : undefined;
}
export function booleanOption(options: ResolvedOptions, name: string): boolean | undefined {
  const v = options[name];
  return typeof v === 'boolean' ? v : undefined;
}
