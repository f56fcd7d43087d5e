// TypeScript export: five templates compile under `tsc --strict` in a clean folder and, run with
// Node, reproduce the engine's first 50 losses; 50 seeded graphs whose ids, labels, name and
// description hold quotes, backticks, `${}`, newlines, `*/` and non-Latin text still compile,
// rebuild the same graph and train the same. All generated files compile in one tsc run.

import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../backends/backend.js';
import { createWasmBackend } from '../backends/wasm/index.js';
import { Random } from '../core/random.js';
import { loadDataset } from '../data/index.js';
import { train } from '../host/api.js';
import { completeDocument, type GraphDocument } from '../protocol/index.js';
import { Trainer } from '../train/trainer.js';
import { readGraph, residualMnist } from './testing/templates.js';
import { exportTypeScript, identifierFor } from './typescript.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIST = join(ROOT, 'dist/engine/index.js');
const STEPS = 50;
const FUZZ = 50;

const TEMPLATES: ReadonlyArray<[string, () => GraphDocument]> = [
  ['xor-two-layer', () => readGraph('assets/lessons/xor-two-layer.netwright.json')],
  ['mnist-mlp', () => readGraph('assets/lessons/mnist-mlp.netwright.json')],
  ['mnist-cnn', () => readGraph('assets/lessons/mnist-cnn.netwright.json')],
  ['residual-bn', residualMnist],
  ['overfitting-dropout', () => readGraph('assets/lessons/overfitting-dropout.netwright.json')],
];

/** Text that breaks naive code generation: quotes, backticks, interpolation, comment ends, line breaks, non-Latin. */
const PIECES = ['"', "'", '`', '${x}', '${', '\n', '\r\n', '*/', '/*', '//', '\\', '日本語', '重み', '😀', '\u2028', '</script>', ' ', 'a', 'Z', '0', '-', '.', '$', '_', '{', '}', 'fc'];

function fuzzText(random: Random, max: number): string {
  const n = 1 + random.int(max);
  let s = '';
  for (let i = 0; i < n; i++) s += PIECES[random.int(PIECES.length)]!;
  return s;
}

/** The XOR network (with a Dropout, whose masks are salted by its id) under random ids and labels. */
function fuzzGraph(seed: number): GraphDocument {
  const random = new Random(seed);
  const ids = new Set<string>();
  while (ids.size < 7) ids.add(fuzzText(random, 6));
  const [x, h, t, d, o, s, l] = [...ids];
  const label = (): string => fuzzText(random, 8);
  const edge = (i: number, a: string, b: string) => ({ id: `e${i}`, source: { node: a, port: 'out' }, target: { node: b, port: 'in' } });
  return completeDocument({
    format: 'netwright.graph',
    version: 1,
    name: fuzzText(random, 10),
    description: fuzzText(random, 20),
    nodes: [
      { id: x!, type: 'Input', label: label(), params: { shape: [2] } },
      { id: h!, type: 'Dense', label: label(), params: { units: 4 } },
      { id: t!, type: 'Tanh', label: label() },
      { id: d!, type: 'Dropout', label: label(), params: { rate: 0.25 } },
      { id: o!, type: 'Dense', label: label(), params: { units: 1 } },
      { id: s!, type: 'Sigmoid', label: label() },
      { id: l!, type: 'BinaryCrossEntropy', label: label() },
    ],
    edges: [edge(1, x!, h!), edge(2, h!, t!), edge(3, t!, d!), edge(4, d!, o!), edge(5, o!, s!), edge(6, s!, l!)],
    training: { dataset: { name: 'xor', options: { samples: 16 } }, optimizer: { type: 'sgd', lr: 0.5 }, mode: 'minibatch', batchSize: 4, epochs: 5, seed, validationSplit: 0 },
  });
}

/** What must survive the round trip through generated code. */
function essence(doc: GraphDocument): unknown {
  return {
    name: doc.name,
    description: doc.description,
    nodes: doc.nodes.map((n) => ({ id: n.id, type: n.type, label: n.label, params: n.params })),
    edges: doc.edges.map((e) => [e.source, e.target]),
    training: doc.training,
  };
}

let dir: string;
let backend: Backend;
const fuzzDocs = Array.from({ length: FUZZ }, (_, i) => fuzzGraph(1000 + i));

beforeAll(async () => {
  // The generated code imports the built API (dist/engine/index.js and its .d.ts). tsc emits even
  // when an unrelated file fails to type-check, so the build is judged by what it produced.
  try {
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'engine/tsconfig.build.json')], { stdio: 'pipe' });
  } catch (error) {
    if (!existsSync(DIST) || !existsSync(DIST.replace(/\.js$/, '.d.ts'))) throw error;
  }
  dir = mkdtempSync(join(tmpdir(), 'netwright-ts-export-'));
  writeFileSync(join(dir, 'package.json'), '{ "type": "module", "private": true }\n');
  const files: string[] = [];
  for (const [name, make] of TEMPLATES) {
    writeFileSync(join(dir, `${name}.ts`), exportTypeScript(make(), { importFrom: DIST }));
    files.push(`${name}.ts`);
  }
  fuzzDocs.forEach((doc, i) => {
    writeFileSync(join(dir, `fuzz${i}.ts`), exportTypeScript(doc, { importFrom: DIST }));
    files.push(`fuzz${i}.ts`);
  });
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2023'],
        types: ['node'], typeRoots: [join(ROOT, 'node_modules/@types')], skipLibCheck: true, outDir: 'out',
      },
      files,
    }),
  );
  backend = await createWasmBackend({ threads: 1 });
}, 120_000);

afterAll(() => {
  backend?.dispose();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('exported TypeScript', () => {
  it('compiles under tsc --strict (5 templates and 50 fuzzed graphs, one run)', async () => {
    const result = await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir]).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? String(e) }));
    expect(result.stdout).toBe('');
  }, 60_000);

  for (const [name, make] of TEMPLATES) {
    it(`${name}: the exported program reproduces the first ${STEPS} losses`, async () => {
      const doc = make();
      const data = await loadDataset(doc.training.dataset, { seed: doc.training.seed });
      const expected: number[] = [];
      const trainer = new Trainer({
        document: doc,
        train: data.train,
        backend,
        onStep: (_step, loss) => {
          expected.push(loss);
          if (expected.length === STEPS) trainer.stop();
        },
      });
      await trainer.run();
      trainer.dispose();
      const { stdout } = await run(process.execPath, [join(dir, 'out', `${name}.js`), '--threads', '1', '--max-steps', String(STEPS), '--json']);
      const losses = (JSON.parse(stdout) as { losses: number[] }).losses;
      expect(losses.length).toBe(STEPS);
      let worst = 0;
      for (let i = 0; i < STEPS; i++) worst = Math.max(worst, Math.abs(losses[i]! - expected[i]!) / Math.abs(expected[i]!));
      console.log(`ts export ${name}: max relative difference ${worst.toExponential(2)} over ${STEPS} steps`);
      expect(worst).toBeLessThanOrEqual(1e-5);
    }, 60_000);
  }

  it('fuzzed names: the code rebuilds the same graph and trains the same', async () => {
    const runner = join(dir, 'runner.mjs');
    writeFileSync(
      runner,
      `import { train, createWasmBackend } from ${JSON.stringify(DIST)};
const backend = await createWasmBackend({ threads: 1 });
const out = [];
for (let i = 0; i < ${FUZZ}; i++) {
  const { buildGraph } = await import('./out/fuzz' + i + '.js');
  const doc = buildGraph();
  const { losses } = await train(doc, { backend });
  out.push({ doc, losses });
}
backend.dispose();
process.stdout.write(JSON.stringify(out));
`,
    );
    const { stdout } = await run(process.execPath, [runner], { maxBuffer: 64 << 20 });
    const rebuilt = JSON.parse(stdout) as Array<{ doc: GraphDocument; losses: number[] }>;
    for (let i = 0; i < FUZZ; i++) {
      expect(essence(rebuilt[i]!.doc)).toEqual(essence(fuzzDocs[i]!));
      const { losses } = await train(fuzzDocs[i]!, { backend });
      expect(rebuilt[i]!.losses).toEqual(losses);
    }
  }, 60_000);
});

describe('identifiers', () => {
  it('are sanitised and deduplicated', () => {
    const used = new Set<string>();
    expect(identifierFor('fc-1', used)).toBe('fc1');
    expect(identifierFor('fc 1', used)).toBe('fc12');
    expect(identifierFor('class', used)).toBe('class2');
    expect(identifierFor('日本語', used)).toBe('node');
    expect(identifierFor('3x', used)).toBe('n3x');
    expect(identifierFor('*/`${}`', used)).toBe('node2');
  });
});
