// The layering lint rule (DESIGN.md §2), in the spirit of VS Code's `code-layering`: each
// folder may import only from the folders listed for it. Breaking a layer is a lint error,
// so the architecture is enforced by CI, not by review.
//
// Import specifiers are resolved against the importing file, so `../../engine/core/x.js`
// from renderer/ is caught however it is spelled.

import path from 'node:path';
import { builtinModules } from 'node:module';

const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/**
 * Layers, most specific first. `allow` lists the source folders a layer may import from
 * (relative to the repository root); `packages` says which npm packages it may use:
 * 'any', 'none', or a list. `node` and `electron` allow Node's built-ins and Electron.
 */
export const LAYERS = [
  {
    name: 'engine/protocol',
    match: 'engine/protocol/',
    allow: ['engine/protocol/'],
    packages: ['valibot', 'vitest'],
    node: false,
    electron: false,
    why: 'engine/protocol is shared with the renderer and must stay pure: no Node, DOM or Electron, nothing else of ours.',
  },
  {
    name: 'engine/host',
    match: 'engine/host/',
    allow: ['engine/'],
    packages: 'any',
    node: true,
    electron: false,
    why: 'the engine never imports Electron, the DOM or React; hosts wire concrete backends.',
  },
  {
    // The package entry (`netwright`): like a host, it hands users the concrete backends.
    name: 'engine/index',
    match: 'engine/index.ts',
    allow: ['engine/'],
    packages: 'any',
    node: true,
    electron: false,
    why: 'the public API re-exports the engine, hosts and backends included; it never imports Electron or UI code.',
  },
  {
    name: 'engine',
    match: 'engine/',
    allow: ['engine/'],
    forbid: ['engine/host/', 'engine/backends/reference/', 'engine/backends/wasm/', 'engine/backends/webgpu/'],
    forbidExceptTests: true,
    packages: 'any',
    node: true,
    electron: false,
    why: 'engine code uses the backend interface (engine/backends/backend.ts); only engine/host wires concrete backends, and the engine never imports Electron or UI code.',
  },
  {
    name: 'renderer',
    match: 'renderer/',
    allow: ['renderer/', 'engine/protocol/'],
    packages: 'any',
    node: false,
    electron: false,
    why: 'the renderer may import engine/protocol only, and reaches everything else through the host API (window.netwright).',
  },
  {
    name: 'app',
    match: 'app/',
    allow: ['app/', 'engine/protocol/'],
    packages: 'any',
    node: true,
    electron: true,
    why: 'app/ (Electron main and preload) may import engine/protocol, Electron and Node, never renderer or engine internals.',
  },
  {
    name: 'e2e',
    match: 'e2e/',
    allow: ['e2e/'],
    packages: 'any',
    node: true,
    electron: false,
    why: 'end-to-end tests drive the UI (and its test API on window); they import no source.',
  },
];

const SOURCE_ROOTS = ['app/', 'engine/', 'renderer/', 'e2e/', 'assets/', 'bench/', 'scripts/', 'tools/'];

function isTestFile(rel) {
  return /\.test\.[cm]?[jt]sx?$/.test(rel) || rel.includes('/__tests__/');
}

function packageName(spec) {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** @type {import('eslint').Rule.RuleModule} */
export const layeringRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Enforce the import layering of DESIGN.md §2' },
    schema: [],
    messages: {
      layer: '{{layer}} may not import "{{spec}}": {{why}}',
    },
  },
  create(context) {
    const root = context.cwd;
    const file = path.relative(root, context.filename).split(path.sep).join('/');
    const layer = LAYERS.find((l) => file.startsWith(l.match));
    if (!layer) return {};

    function check(node, spec) {
      if (typeof spec !== 'string') return;
      let bad = false;
      if (spec.startsWith('.') || spec.startsWith('/')) {
        const target = path
          .relative(root, path.resolve(path.dirname(context.filename), spec))
          .split(path.sep)
          .join('/');
        const inside = (dir) => target.startsWith(dir) || `${target}/` === dir;
        if (SOURCE_ROOTS.some(inside) || target.startsWith('..')) {
          bad = !layer.allow.some(inside);
          const exempt = layer.forbidExceptTests && isTestFile(file);
          // A concrete backend may import its own files; other engine code may not.
          if (!bad && layer.forbid && !exempt) bad = layer.forbid.some((dir) => inside(dir) && !file.startsWith(dir));
        }
      } else if (NODE_BUILTINS.has(spec)) {
        // Tests run in Node whatever layer they test (to read fixtures, for example).
        bad = !layer.node && !isTestFile(file);
      } else if (packageName(spec) === 'electron') {
        bad = !layer.electron;
      } else if (layer.packages === 'none') {
        bad = true;
      } else if (Array.isArray(layer.packages)) {
        bad = !layer.packages.includes(packageName(spec));
      }
      if (bad) context.report({ node, messageId: 'layer', data: { layer: layer.name, spec, why: layer.why } });
    }

    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
      CallExpression: (node) => {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments[0]?.type === 'Literal') {
          check(node.arguments[0], node.arguments[0].value);
        }
      },
    };
  },
};

export default { rules: { layering: layeringRule } };
