// Export to TypeScript (DESIGN.md §7): readable code that rebuilds a graph with the public API
// (engine/index.ts, package `netwright`) and trains it with the same data, optimizer, schedule and
// seed, so running it reproduces the app's loss curve. User text is never spliced: see `str`.

import { specOf, validateGraph, type GraphDocument, type GraphNode } from '../protocol/index.js';

export interface TypeScriptExportOptions {
  /** Module the code imports the API from: 'netwright' (default) or a path to dist/engine/index.js. */
  readonly importFrom?: string;
}

/** Thrown for a graph that cannot be exported (it does not validate). */
export class ExportError extends Error {
  constructor(
    message: string,
    readonly nodeId?: string,
  ) {
    super(message);
    this.name = 'ExportError';
  }
}

/** Builder method per catalog type (engine/api/graph.ts); Input, Reshape, Add, Concat and losses are special-cased. */
const METHODS: Readonly<Record<string, string>> = {
  Input: 'input', Dense: 'dense', Perceptron: 'perceptron', Step: 'step', Sigmoid: 'sigmoid', Tanh: 'tanh',
  Softsign: 'softsign', ReLU: 'relu', ReLU6: 'relu6', LeakyReLU: 'leakyRelu', Softplus: 'softplus', ELU: 'elu',
  Identity: 'identity', Softmax: 'softmax', Conv2D: 'conv2d', MaxPool: 'maxPool', AvgPool: 'avgPool', LpPool: 'lpPool',
  GlobalAvgPool: 'globalAvgPool', Flatten: 'flatten', Reshape: 'reshape', Dropout: 'dropout', BatchNorm: 'batchNorm',
  LRN: 'lrn', Add: 'add', Concat: 'concat', MSE: 'mse', CrossEntropy: 'crossEntropy',
  BinaryCrossEntropy: 'binaryCrossEntropy', L1: 'l1', SmoothL1: 'smoothL1', Hinge: 'hinge',
};

/** Names the generated code uses itself, plus JavaScript's reserved words: a node id never becomes one. */
const TAKEN = new Set([
  'g', 'graph', 'buildGraph', 'main', 'train', 'createGraph', 'parseArgs', 'pathToFileURL', 'process', 'console', 'values', 'result', 'record',
  'GraphDocument', 'undefined', 'NaN', 'Infinity', 'arguments', 'eval', 'await', 'break', 'case', 'catch', 'class', 'const', 'continue',
  'debugger', 'default', 'delete', 'do', 'else', 'enum', 'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'implements',
  'import', 'in', 'instanceof', 'interface', 'let', 'new', 'null', 'package', 'private', 'protected', 'public', 'return', 'static',
  'super', 'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'yield', 'any', 'as', 'async', 'from',
  'of', 'type', 'Number', 'String', 'Object', 'JSON', 'Math', 'Promise', 'Error',
]);

/**
 * A string literal for any user text. JSON.stringify escapes quotes, backslashes and control
 * characters; a double-quoted string cannot contain `${` interpolation or end a comment. U+2028
 * and U+2029 are legal in string literals since ES2019, but are escaped too for older tools.
 */
export function str(text: string): string {
  return JSON.stringify(text).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** User text made safe for a `//` comment: one line, no control characters, bounded length. */
export function commentText(text: string): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();
  return flat.length > 80 ? `${flat.slice(0, 79)}…` : flat;
}

/** A camelCase identifier for a node id, unique among `used` (which it extends). */
export function identifierFor(id: string, used: Set<string>): string {
  const words = id.normalize('NFKC').split(/[^\p{L}\p{N}_]+/u).filter((w) => w !== '');
  let name = words.map((w, i) => (i === 0 ? w : w[0]!.toUpperCase() + w.slice(1))).join('');
  // Keep only characters every identifier may hold; non-Latin letters are valid, but ASCII
  // reads the same in every editor and font.
  name = name.replace(/[^A-Za-z0-9_]/g, '');
  if (name === '') name = 'node';
  if (/^[0-9]/.test(name)) name = `n${name}`;
  let unique = name;
  for (let n = 2; TAKEN.has(unique) || used.has(unique); n++) unique = `${name}${n}`;
  used.add(unique);
  return unique;
}

/** An object key: bare when it is an identifier, else a string literal. */
function key(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : str(name);
}

/** A literal for a JSON-like value, on one line; strings go through `str`. */
function literal(value: unknown): string {
  if (typeof value === 'string') return str(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'NaN';
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return entries.length === 0 ? '{}' : `{ ${entries.map(([k, v]) => `${key(k)}: ${literal(v)}`).join(', ')} }`;
  }
  return 'undefined';
}

/**
 * The TypeScript program for a graph. Nodes are written in the engine's topological order, each
 * with its id: ids name the weights (`fc1.weight`) and salt the dropout masks, and building in
 * topological order keeps the order the engine initialises weights in (so the same seed gives
 * the same weights).
 */
export function exportTypeScript(doc: GraphDocument, options: TypeScriptExportOptions = {}): string {
  const report = validateGraph(doc);
  const error = report.diagnostics.find((d) => d.severity === 'error');
  if (error !== undefined) {
    throw new ExportError(`cannot export a graph with errors: ${error.message.en}${error.nodeId !== undefined ? ` (node ${JSON.stringify(error.nodeId)})` : ''}`, error.nodeId);
  }
  const byId = new Map(doc.nodes.map((n) => [n.id, n]));
  const used = new Set<string>();
  const names = new Map<string, string>();
  for (const id of report.order) names.set(id, identifierFor(id, used));

  const lines: string[] = [];
  for (const id of report.order) {
    const node = byId.get(id)!;
    const info = report.nodes.get(id)!;
    const shape = info.outputs?.[0];
    const about = `${commentText(node.id)} — ${node.type}${shape !== undefined ? ` → [N${shape.map((d) => `, ${d}`).join('')}]` : ''}`;
    lines.push(`  // ${about}`);
    // A node nothing reads from (the loss) needs no variable.
    const read = doc.edges.some((e) => e.source.node === id);
    lines.push(read ? `  const ${names.get(id)!} = ${callFor(doc, node, names)};` : `  ${callFor(doc, node, names)};`);
  }

  const importFrom = options.importFrom ?? 'netwright';
  const t = doc.training;
  const training: Record<string, unknown> = {
    dataset: t.dataset, optimizer: t.optimizer, schedule: t.schedule, mode: t.mode, batchSize: t.batchSize,
    epochs: t.epochs, seed: t.seed, validationSplit: t.validationSplit, metrics: t.metrics,
  };
  return `// ${commentText(doc.name)} — exported from Netwright.
// Builds the graph with Netwright's API and trains it with the same dataset, loss, optimizer,
// schedule and seed as the app, so it reproduces the app's loss curve on the same backend.
// Run: npx tsx <this file> [--threads N] [--max-steps N] [--json]

import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { createGraph, train, type GraphDocument } from ${str(importFrom)};

/** The graph as designed in Netwright (node ids name the weights: \`fc1.weight\`). */
export function buildGraph(): GraphDocument {
  const g = createGraph({ name: ${str(doc.name)}${doc.description !== undefined ? `, description: ${str(doc.description)}` : ''} });

${lines.join('\n')}

  g.training({
${Object.entries(training).map(([k, v]) => `    ${key(k)}: ${literal(v)},`).join('\n')}
  });
  return g.document();
}

/** Trains the graph and prints each epoch (or, with --json, the loss of every step). */
export async function main(args: string[] = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { threads: { type: 'string' }, 'max-steps': { type: 'string' }, json: { type: 'boolean' } },
  });
  const result = await train(buildGraph(), {
    threads: values.threads === undefined ? undefined : Number(values.threads),
    maxSteps: values['max-steps'] === undefined ? undefined : Number(values['max-steps']),
    onEvent: (event) => {
      if (values.json === true || event.type !== 'epoch') return;
      for (const record of event.records) {
        const validation = record.validation === undefined ? '' : \`  val_loss \${record.validation.loss.toFixed(4)}\`;
        console.log(\`epoch \${record.epoch}  loss \${record.train.loss.toFixed(4)}\${validation}\`);
      }
    },
  });
  if (values.json === true) console.log(JSON.stringify({ status: result.status, losses: result.losses }));
  if (result.error !== undefined) throw new Error(\`\${result.error.message.en}\\n\${result.error.hint.en}\`);
}

// Train when run as a program; importing the module only gives buildGraph and main.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
`;
}

/** The builder call for one node: `g.dense(x, { id: "fc1", units: 512 })`. */
function callFor(doc: GraphDocument, node: GraphNode, names: ReadonlyMap<string, string>): string {
  const method = METHODS[node.type];
  const spec = specOf(node.type);
  if (method === undefined || spec === undefined) throw new ExportError(`node ${JSON.stringify(node.id)}: type ${node.type} has no TypeScript builder`, node.id);
  const source = (port: string): string => {
    const edge = doc.edges.find((e) => e.target.node === node.id && e.target.port === port);
    if (edge === undefined) return 'undefined';
    const name = names.get(edge.source.node)!;
    return edge.source.port === spec.outputs[0]?.name || edge.source.port === 'out' ? name : `{ node: ${str(edge.source.node)}, port: ${str(edge.source.port)} }`;
  };
  const params: Record<string, unknown> = { ...node.params };
  const opts: string[] = [`id: ${str(node.id)}`];
  if (node.label !== undefined) opts.push(`label: ${str(node.label)}`);
  const args: string[] = [];
  if (node.type === 'Input' || node.type === 'Reshape') {
    if (node.type === 'Reshape') args.push(source('in'));
    args.push(literal(params['shape']));
    delete params['shape'];
  } else if (node.type === 'Add' || node.type === 'Concat') {
    const count = Number(params['inputs'] ?? 2);
    delete params['inputs'];
    args.push(`[${Array.from({ length: count }, (_, i) => source(`in${i}`)).join(', ')}]`);
  } else {
    args.push(source('in'));
    if (spec.role === 'loss' && doc.edges.some((e) => e.target.node === node.id && e.target.port === 'target')) opts.push(`target: ${source('target')}`);
  }
  for (const [k, v] of Object.entries(params)) opts.push(`${key(k)}: ${literal(v)}`);
  args.push(`{ ${opts.join(', ')} }`);
  return `g.${method}(${args.join(', ')})`;
}
