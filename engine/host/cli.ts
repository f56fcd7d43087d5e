// The `netwright` command line (bin/netwright.js calls main): train a graph headless with a
// progress bar and write metrics and a checkpoint; evaluate saved weights on the test set;
// print a graph's shapes, parameters, FLOPs, memory and diagnostics. English or Japanese
// (--lang ja, or LANG=ja*). Exit codes: 0 ok, 1 training failed, 2 usage or invalid input.

import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Backend } from '../backends/backend.js';
import { ReferenceBackend } from '../backends/reference/reference.js';
import { createBackend as selectBackend, isBackendChoice } from './backends.js';
import { DatasetError, loadDataset, type DatasetSplits } from '../data/index.js';
import {
  formatShape,
  loadDocument,
  validateGraph,
  type Diagnostic,
  type GraphDocument,
  type Lang,
  type Text,
} from '../protocol/index.js';
import { exportOnnx } from '../export/onnx.js';
import { writeSafetensors } from '../export/safetensors.js';
import { ExportError, exportTypeScript } from '../export/typescript.js';
import { CheckpointError, loadOptimizerState, loadWeights, readCheckpoint, saveCheckpoint, type Checkpoint } from '../train/checkpoint.js';
import { roundMetric, type EvaluationMetrics, type Metrics } from '../train/metrics.js';
import { buildModel } from '../train/model.js';
import { evaluate, Trainer, TrainingError, type EpochRecord, type TrainingFailure } from '../train/trainer.js';
import { ProgressView, type TextSink } from './progress.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
/** Interrupted by Ctrl+C (128 + SIGINT), after saving what was trained. */
export const EXIT_INTERRUPTED = 130;

/** Where the CLI writes and what it knows of its environment; tests pass their own. */
export interface CliIO {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

/** A problem that ends the command with an exit code and a bilingual message. */
class CliExit extends Error {
  constructor(
    readonly code: number,
    readonly text: Text,
    readonly hint?: Text,
  ) {
    super(text.en);
  }
}

const t = (en: string, ja: string): Text => ({ en, ja });

// ---------------------------------------------------------------------------------------------
// Help

const HELP: Readonly<Record<'main' | 'train' | 'eval' | 'info' | 'export', Text>> = {
  main: t(
    `Usage: netwright <command> [options]

Commands:
  train <graph.netwright.json>   train a graph headless, with a progress bar
  eval <graph.netwright.json>    evaluate saved weights on the test set
  info <graph.netwright.json>    shapes, parameters, FLOPs, memory and diagnostics
  export --to ts|onnx|safetensors <graph.netwright.json>
                                 the graph as TypeScript, the trained model as ONNX, or its weights

Options for every command:
  --lang en|ja                   language of messages (default: from LANG)
  -h, --help                     help for a command: netwright train --help

Exit codes: 0 ok, 1 training failed (e.g. the loss became NaN), 2 usage or invalid graph/data.`,
    `使い方: netwright <コマンド> [オプション]

コマンド:
  train <graph.netwright.json>   グラフをヘッドレスで学習（進捗バー付き）
  eval <graph.netwright.json>    保存した重みをテストデータで評価
  info <graph.netwright.json>    形・パラメータ数・FLOPs・メモリ・診断を表示
  export --to ts|onnx|safetensors <graph.netwright.json>
                                 グラフを TypeScript に、学習済みモデルを ONNX に、重みを書き出し

共通オプション:
  --lang en|ja                   メッセージの言語（既定: LANG から）
  -h, --help                     各コマンドのヘルプ: netwright train --help

終了コード: 0 成功、1 学習失敗（損失が NaN など）、2 使い方・グラフ・データの誤り。`,
  ),
  train: t(
    `Usage: netwright train <graph.netwright.json> [options]

Trains the graph on the dataset its training section names, prints progress, and writes
metrics.jsonl, metrics.csv and a checkpoint (<name>.safetensors + <name>.netwright.json) to --out.

Options (override the graph's training section):
  --epochs N          epochs in all
  --batch N           mini-batch size
  --lr X              learning rate
  --seed N            seed of initialisation, shuffling and dropout
  --mode M            minibatch | full | online
  --backend B         cpu (default) | reference | webgpu (GPU; uses cpu where no adapter exists)
  --threads N         CPU threads (default: up to 4)
  --out DIR           output folder (default: runs/<name>)
  --resume W          continue from a checkpoint (.safetensors) saved by an earlier run
  --init W            start from these weights (a checkpoint or \`export --to safetensors\`)
  --quiet             no progress output, only the summary
  --lang en|ja        language of messages`,
    `使い方: netwright train <graph.netwright.json> [オプション]

グラフの training 節にあるデータセットで学習し、進捗を表示して、--out に metrics.jsonl、
metrics.csv、チェックポイント（<名前>.safetensors と <名前>.netwright.json）を書き出します。

オプション（グラフの training 節を上書き）:
  --epochs N          エポック数（合計）
  --batch N           ミニバッチのサイズ
  --lr X              学習率
  --seed N            初期化・シャッフル・ドロップアウトのシード
  --mode M            minibatch | full | online
  --backend B         cpu（既定）| reference | webgpu（GPU。アダプターがなければ cpu）
  --threads N         CPU スレッド数（既定: 最大 4）
  --out DIR           出力フォルダ（既定: runs/<名前>）
  --resume W          以前の学習のチェックポイント（.safetensors）から再開
  --init W            この重みから学習を始める（チェックポイントか export --to safetensors）
  --quiet             進捗を表示せず、結果だけを表示
  --lang en|ja        メッセージの言語`,
  ),
  eval: t(
    `Usage: netwright eval <graph.netwright.json> --weights W.safetensors [options]

Loads the weights into the graph and reports loss, accuracy, per-class accuracy and the
confusion matrix on the dataset's test set (its training set when it has none).

Options:
  --weights W         the .safetensors file (required)
  --batch N           samples per forward pass (default 256)
  --backend B         cpu (default) | reference | webgpu (GPU; uses cpu where no adapter exists)
  --threads N         CPU threads
  --json              print the metrics as JSON
  --lang en|ja        language of messages`,
    `使い方: netwright eval <graph.netwright.json> --weights W.safetensors [オプション]

重みをグラフに読み込み、データセットのテストデータ（ない場合は訓練データ）での損失・正解率・
クラス別正解率・混同行列を表示します。

オプション:
  --weights W         .safetensors ファイル（必須）
  --batch N           1 回の順伝播のサンプル数（既定 256）
  --backend B         cpu（既定）| reference | webgpu（GPU。アダプターがなければ cpu）
  --threads N         CPU スレッド数
  --json              結果を JSON で表示
  --lang en|ja        メッセージの言語`,
  ),
  export: t(
    `Usage: netwright export --to ts|onnx|safetensors <graph.netwright.json> [options]

  --to ts             TypeScript that builds and trains the graph with the \`netwright\` API
  --to onnx           the trained model as ONNX (opset 17), up to the loss's input; needs --weights
  --to safetensors    the parameters and BatchNorm statistics of a checkpoint, without optimizer state; needs --weights
  --weights W         a checkpoint (.safetensors) saved by \`netwright train\` or the app
  --out FILE          output file (default: <name>.ts / .onnx / .weights.safetensors here)
  --import-from M     module the TypeScript imports (default: netwright)
  --lang en|ja        language of messages`,
    `使い方: netwright export --to ts|onnx|safetensors <graph.netwright.json> [オプション]

  --to ts             \`netwright\` の API でグラフを組み立てて学習する TypeScript
  --to onnx           学習済みモデルを ONNX（opset 17）で。損失の入力まで。--weights が必要
  --to safetensors    チェックポイントのパラメータと BatchNorm 統計量（最適化の状態を除く）。--weights が必要
  --weights W         \`netwright train\` かアプリで保存したチェックポイント（.safetensors）
  --out FILE          出力ファイル（既定: ここに <名前>.ts / .onnx / .weights.safetensors）
  --import-from M     TypeScript が読み込むモジュール（既定: netwright）
  --lang en|ja        メッセージの言語`,
  ),
  info: t(
    `Usage: netwright info <graph.netwright.json> [--json] [--lang en|ja]

Prints each node's output shape, parameter count, FLOPs (forward, one sample) and training
memory estimate, the totals, the training settings, and every diagnostic. Exits 2 when the
graph has errors.`,
    `使い方: netwright info <graph.netwright.json> [--json] [--lang en|ja]

ノードごとの出力の形・パラメータ数・FLOPs（順伝播、1 サンプル）・学習時メモリの見積もり、
合計、学習設定、すべての診断を表示します。グラフにエラーがあると終了コード 2 です。`,
  ),
};

// ---------------------------------------------------------------------------------------------
// Entry

/** Runs one command; resolves with the exit code (never rejects, never calls process.exit). */
export async function main(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  const lang = detectLang(argv, io.env);
  const say = (text: Text): string => text[lang];
  try {
    const [command, ...rest] = argv;
    if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
      const topic = command === 'help' ? rest[0] : undefined;
      io.stdout.write(`${say(topic === 'train' || topic === 'eval' || topic === 'info' || topic === 'export' ? HELP[topic] : HELP.main)}\n`);
      return command === undefined ? EXIT_USAGE : EXIT_OK;
    }
    if (command === '--version' || command === '-v') {
      io.stdout.write('netwright 0.1.0\n');
      return EXIT_OK;
    }
    switch (command) {
      case 'train':
        return await train(rest, io, lang);
      case 'eval':
        return await evalCommand(rest, io, lang);
      case 'info':
        return await info(rest, io, lang);
      case 'export':
        return await exportCommand(rest, io, lang);
      default:
        throw new CliExit(
          EXIT_USAGE,
          t(`Unknown command "${command}".`, `不明なコマンド "${command}" です。`),
          t('Run `netwright --help` for the commands.', '`netwright --help` でコマンドを確認してください。'),
        );
    }
  } catch (error) {
    return report(error, io, lang);
  }
}

function processIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

/** --lang wins; otherwise LC_ALL, LC_MESSAGES or LANG starting with "ja". */
export function detectLang(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Lang {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = a.startsWith('--lang=') ? a.slice(7) : a === '--lang' ? argv[i + 1] : undefined;
    if (value === 'ja' || value === 'en') return value;
  }
  const locale = env['LC_ALL'] || env['LC_MESSAGES'] || env['LANG'] || '';
  return locale.toLowerCase().startsWith('ja') ? 'ja' : 'en';
}

/** Prints an error the way the user needs it and picks the exit code. */
function report(error: unknown, io: CliIO, lang: Lang): number {
  const prefix = 'netwright: ';
  if (error instanceof CliExit) {
    io.stderr.write(`${prefix}${error.text[lang]}\n`);
    if (error.hint) io.stderr.write(`  ${error.hint[lang]}\n`);
    return error.code;
  }
  if (error instanceof TrainingError || error instanceof CheckpointError) {
    const code = error instanceof TrainingError ? ` [${error.code}]` : '';
    io.stderr.write(`${prefix}${error.text[lang]}${code}\n  ${error.hint[lang]}\n`);
    return EXIT_USAGE;
  }
  if (error instanceof DatasetError) {
    io.stderr.write(`${prefix}${error.message}${error.file ? ` (${error.file})` : ''}\n`);
    if (error.hint) io.stderr.write(`  ${error.hint}\n`);
    return EXIT_USAGE;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.stderr.write(`${prefix}${lang === 'ja' ? '予期しないエラー' : 'unexpected error'}: ${detail}\n`);
  return EXIT_FAILED;
}

// ---------------------------------------------------------------------------------------------
// Arguments

type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;

const COMMON: OptionSpec = { lang: { type: 'string' }, help: { type: 'boolean', short: 'h' } };

function parse(args: readonly string[], options: OptionSpec, command: 'train' | 'eval' | 'info' | 'export'): { graph: string | undefined; values: Record<string, string | boolean | undefined>; help: boolean } {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options: { ...COMMON, ...options }, allowPositionals: true, strict: true });
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new CliExit(EXIT_USAGE, t(`${command}: ${detail}`, `${command}: ${detail}`), t(`Run \`netwright ${command} --help\`.`, `\`netwright ${command} --help\` を参照してください。`));
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const lang = values['lang'];
  if (lang !== undefined && lang !== 'en' && lang !== 'ja') throw new CliExit(EXIT_USAGE, t(`--lang must be en or ja, got "${String(lang)}".`, `--lang は en か ja です（"${String(lang)}"）。`));
  if (parsed.positionals.length > 1) {
    throw new CliExit(EXIT_USAGE, t(`${command} takes one graph file, got ${parsed.positionals.length}.`, `${command} に指定できるグラフファイルは 1 つです（${parsed.positionals.length} 個）。`));
  }
  return { graph: parsed.positionals[0], values, help: values['help'] === true };
}

function requireGraph(graph: string | undefined, command: 'train' | 'eval' | 'info' | 'export'): string {
  if (graph === undefined) {
    throw new CliExit(EXIT_USAGE, t(`${command}: give a graph file.`, `${command}: グラフファイルを指定してください。`), t(`Usage: netwright ${command} <graph.netwright.json>`, `使い方: netwright ${command} <graph.netwright.json>`));
  }
  return graph;
}

function intOption(values: Record<string, string | boolean | undefined>, name: string, min: number, max: number): number | undefined {
  const raw = values[name];
  if (raw === undefined || typeof raw === 'boolean') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new CliExit(EXIT_USAGE, t(`--${name} must be a whole number from ${min} to ${max}, got "${raw}".`, `--${name} は ${min}〜${max} の整数です（"${raw}"）。`));
  }
  return n;
}

function numberOption(values: Record<string, string | boolean | undefined>, name: string): number | undefined {
  const raw = values[name];
  if (raw === undefined || typeof raw === 'boolean') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new CliExit(EXIT_USAGE, t(`--${name} must be a positive number, got "${raw}".`, `--${name} は正の数です（"${raw}"）。`));
  return n;
}

// ---------------------------------------------------------------------------------------------
// Graphs, datasets, backends

/** Reads and validates a graph; prints every diagnostic and exits 2 when there are errors. */
async function openGraph(path: string, io: CliIO, lang: Lang): Promise<{ doc: GraphDocument; path: string }> {
  const full = resolve(io.cwd, path);
  let source: string;
  try {
    source = await readFile(full, 'utf8');
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new CliExit(EXIT_USAGE, t(`Cannot read the graph file ${path}: ${detail}`, `グラフファイル ${path} を読めません: ${detail}`));
  }
  const loaded = loadDocument(source);
  const diagnostics = loaded.document === undefined ? loaded.diagnostics : validateGraph(loaded.document).diagnostics;
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0 || loaded.document === undefined) {
    printDiagnostics(diagnostics, io.stderr, lang);
    throw new CliExit(
      EXIT_USAGE,
      t(`${path} is not a valid graph (${errors.length} error${errors.length === 1 ? '' : 's'}).`, `${path} は正しいグラフではありません（エラー ${errors.length} 件）。`),
    );
  }
  return { doc: loaded.document, path: full };
}

function printDiagnostics(diagnostics: readonly Diagnostic[], sink: TextSink, lang: Lang): void {
  for (const d of diagnostics) {
    const where = [d.nodeId !== undefined ? `node ${d.nodeId}` : '', d.port !== undefined ? `port ${d.port}` : '', d.param !== undefined ? `param ${d.param}` : '', d.edgeId !== undefined ? `edge ${d.edgeId}` : '', d.path !== undefined && d.path !== '' ? `at ${d.path}` : '']
      .filter((s) => s !== '')
      .join(', ');
    const severity = d.severity === 'error' ? (lang === 'ja' ? 'エラー' : 'error') : lang === 'ja' ? '警告' : 'warning';
    sink.write(`${severity} ${d.code}${where ? ` (${where})` : ''}: ${d.message[lang]}\n  ${lang === 'ja' ? 'ヒント' : 'hint'}: ${d.hint[lang]}\n`);
  }
}

/** The graph's dataset; relative paths start from the graph's folder (where the user keeps its data). */
async function loadData(doc: GraphDocument, graphPath: string, io: CliIO, quiet: boolean): Promise<DatasetSplits> {
  const log = (message: string): void => {
    if (!quiet) io.stderr.write(`${message}\n`);
  };
  return loadDataset(doc.training.dataset, { baseDir: dirname(graphPath), seed: doc.training.seed, log });
}

async function createBackend(values: Record<string, string | boolean | undefined>, io: CliIO, lang: Lang): Promise<Backend> {
  const name = (values['backend'] as string | undefined) ?? 'cpu';
  if (!isBackendChoice(name)) throw new CliExit(EXIT_USAGE, t(`--backend must be cpu, reference or webgpu, got "${name}".`, `--backend は cpu・reference・webgpu のいずれかです（"${name}"）。`));
  const threads = intOption(values, 'threads', 1, 64);
  const { backend, notice } = await selectBackend(name, threads === undefined ? {} : { threads });
  if (notice !== undefined) io.stderr.write(`${lang === 'ja' ? notice.ja : notice.en}\n`);
  return backend;
}

/** "lessons/mnist-mlp.netwright.json" → "mnist-mlp". */
function graphName(path: string): string {
  return basename(path).replace(/\.netwright\.json$/, '').replace(/\.json$/, '');
}

// ---------------------------------------------------------------------------------------------
// export

async function exportCommand(args: readonly string[], io: CliIO, lang: Lang): Promise<number> {
  const { graph, values, help } = parse(args, { to: { type: 'string' }, weights: { type: 'string' }, out: { type: 'string' }, 'import-from': { type: 'string' } }, 'export');
  if (help) {
    io.stdout.write(`${HELP.export[lang]}\n`);
    return EXIT_OK;
  }
  const to = values['to'];
  if (to !== 'ts' && to !== 'typescript' && to !== 'onnx' && to !== 'safetensors') {
    throw new CliExit(EXIT_USAGE, t(`export: --to must be ts, onnx or safetensors, got "${String(to)}".`, `export: --to は ts・onnx・safetensors のいずれかです（"${String(to)}"）。`));
  }
  const opened = await openGraph(requireGraph(graph, 'export'), io, lang);
  const name = graphName(opened.path);
  const extension = to === 'onnx' ? '.onnx' : to === 'safetensors' ? '.weights.safetensors' : '.ts';
  const out = resolve(io.cwd, (values['out'] as string | undefined) ?? `${name}${extension}`);
  try {
    if (to === 'ts' || to === 'typescript') {
      const importFrom = values['import-from'] as string | undefined;
      writeFileSync(out, exportTypeScript(opened.doc, importFrom !== undefined ? { importFrom } : {}));
    } else {
      const checkpoint = await checkedWeights(opened.doc, values, io.cwd);
      if (to === 'onnx') writeFileSync(out, exportOnnx(opened.doc, checkpoint.tensors));
      else {
        // Parameters and state only: what another tool (or `train --init`) needs, not Adam's moments.
        const tensors = [...checkpoint.tensors.values()].filter((tensor) => !tensor.name.startsWith('optimizer.'));
        await writeSafetensors(out, tensors, { format: 'netwright.weights', graph: basename(opened.path) });
      }
    }
  } catch (error) {
    if (error instanceof ExportError) throw new CliExit(EXIT_USAGE, t(`export: ${error.message}`, `export: ${error.message}`));
    throw error;
  }
  io.stdout.write(`${lang === 'ja' ? '書き出しました' : 'exported'}: ${out}\n`);
  return EXIT_OK;
}

/** The checkpoint in --weights, checked against the graph by loading it into a model (names, shapes). */
async function checkedWeights(doc: GraphDocument, values: Record<string, string | boolean | undefined>, cwd: string): Promise<Checkpoint> {
  const weights = values['weights'];
  if (typeof weights !== 'string') {
    throw new CliExit(EXIT_USAGE, t('export: this format needs --weights W.safetensors (a trained checkpoint).', 'export: この形式には --weights W.safetensors（学習済みのチェックポイント）が必要です。'));
  }
  const checkpoint = await readCheckpoint(resolve(cwd, weights));
  const backend = new ReferenceBackend();
  try {
    const model = buildModel(doc, { backend });
    loadWeights(model, checkpoint);
    model.dispose();
  } finally {
    backend.dispose();
  }
  return checkpoint;
}

// ---------------------------------------------------------------------------------------------
// train

async function train(args: readonly string[], io: CliIO, lang: Lang): Promise<number> {
  const { graph, values, help } = parse(
    args,
    {
      epochs: { type: 'string' },
      batch: { type: 'string' },
      lr: { type: 'string' },
      seed: { type: 'string' },
      mode: { type: 'string' },
      backend: { type: 'string' },
      threads: { type: 'string' },
      out: { type: 'string' },
      resume: { type: 'string' },
      init: { type: 'string' },
      quiet: { type: 'boolean' },
    },
    'train',
  );
  if (help) {
    io.stdout.write(`${HELP.train[lang]}\n`);
    return EXIT_OK;
  }
  const quiet = values['quiet'] === true;
  const opened = await openGraph(requireGraph(graph, 'train'), io, lang);
  const doc = withOverrides(opened.doc, values);
  // The overrides may put the config out of range (TRAINING_RANGE): check again.
  const problems = validateGraph(doc).diagnostics.filter((d) => d.severity === 'error');
  if (problems.length > 0) {
    printDiagnostics(problems, io.stderr, lang);
    throw new CliExit(EXIT_USAGE, t('The options put the training settings out of range.', 'オプションにより学習設定が範囲外になりました。'));
  }
  const name = graphName(opened.path);
  const out = resolve(io.cwd, (values['out'] as string | undefined) ?? join('runs', name));
  const data = await loadData(doc, opened.path, io, quiet);
  const backend = await createBackend(values, io, lang);
  let trainer: Trainer | undefined;
  let interrupted = false;
  const onSigint = (): void => {
    interrupted = true;
    trainer?.stop();
  };
  try {
    const model = buildModel(doc, { backend });
    const view = quiet ? null : new ProgressView(io.stderr, { lang, tty: io.stderr.isTTY === true, epochs: doc.training.epochs });
    trainer = new Trainer({
      document: doc,
      train: data.train,
      model,
      onEvent: (event) => {
        view?.onEvent(event);
        if (event.type === 'epoch') logEpochs(out, event.records);
      },
    });
    const init = values['init'] as string | undefined;
    if (init !== undefined) loadWeights(model, await readCheckpoint(resolve(io.cwd, init)));
    const resumeFrom = values['resume'] as string | undefined;
    if (resumeFrom !== undefined) {
      const checkpoint = await readCheckpoint(resolve(io.cwd, resumeFrom));
      loadWeights(model, checkpoint);
      if (trainer.optimizer !== null) loadOptimizerState(model, trainer.optimizer, checkpoint);
      if (checkpoint.progress !== null) trainer.resumeFrom(checkpoint.progress);
    }
    mkdirSync(out, { recursive: true });
    startLogs(out, resumeFrom !== undefined);
    if (!quiet) {
      const d = data.train;
      io.stderr.write(
        `${lang === 'ja' ? '学習' : 'training'} ${name}: ${d.name} ${d.size.toLocaleString('en-US')} ${lang === 'ja' ? 'サンプル' : 'samples'} ${formatShape(d.inputShape)}` +
          ` (${trainer.trainIndices.length} ${lang === 'ja' ? '学習' : 'train'} / ${trainer.validationIndices.length} ${lang === 'ja' ? '検証' : 'validation'})` +
          `, ${doc.training.optimizer.type} lr ${doc.training.optimizer.lr}, ${lang === 'ja' ? 'バッチ' : 'batch'} ${trainer.batchSize}, ${doc.training.epochs} ${lang === 'ja' ? 'エポック' : 'epochs'}, ${backend.name}` +
          (trainer.plan.perceptronId !== null ? (lang === 'ja' ? '、パーセプトロンの学習則' : ', perceptron learning rule') : '') +
          '\n',
      );
    }
    process.on('SIGINT', onSigint);
    const result = await trainer.run();
    view?.clear();

    if (result.status === 'failed') {
      printFailure(result.error!, io, lang);
      return EXIT_FAILED;
    }
    let test: EvaluationMetrics | undefined;
    if (data.test !== undefined && result.status === 'completed') {
      test = await evaluate(model, doc, data.test);
      appendFileSync(join(out, 'metrics.jsonl'), `${JSON.stringify({ type: 'test', ...rounded(test) })}\n`);
    }
    const saved = await saveCheckpoint(join(out, name), { model, document: doc, optimizer: trainer.optimizer, progress: trainer.progress });
    summarize(result.records.at(-1), test, io.stdout, lang);
    io.stdout.write(`${lang === 'ja' ? '保存しました' : 'saved'}: ${saved.weights}\n`);
    if (interrupted) {
      io.stderr.write(`${lang === 'ja' ? '中断しました（ここまでの重みを保存しました）。' : 'interrupted (the weights so far are saved).'}\n`);
      return EXIT_INTERRUPTED;
    }
    return EXIT_OK;
  } finally {
    process.off('SIGINT', onSigint);
    trainer?.dispose();
    backend.dispose();
  }
}

function withOverrides(doc: GraphDocument, values: Record<string, string | boolean | undefined>): GraphDocument {
  const training = { ...doc.training, optimizer: { ...doc.training.optimizer } };
  const epochs = intOption(values, 'epochs', 1, 100000);
  const batch = intOption(values, 'batch', 1, 65536);
  const seed = intOption(values, 'seed', 0, 0xffffffff);
  const lr = numberOption(values, 'lr');
  const mode = values['mode'];
  if (epochs !== undefined) training.epochs = epochs;
  if (batch !== undefined) training.batchSize = batch;
  if (seed !== undefined) training.seed = seed;
  if (lr !== undefined) training.optimizer.lr = lr;
  if (mode !== undefined) {
    if (mode !== 'minibatch' && mode !== 'full' && mode !== 'online') {
      throw new CliExit(EXIT_USAGE, t(`--mode must be minibatch, full or online, got "${String(mode)}".`, `--mode は minibatch・full・online のいずれかです（"${String(mode)}"）。`));
    }
    training.mode = mode;
  }
  return { ...doc, training };
}

const CSV_HEADER = 'epoch,step,lr,seconds,train_loss,train_accuracy,val_loss,val_accuracy\n';

function startLogs(out: string, append: boolean): void {
  if (append) return;
  writeFileSync(join(out, 'metrics.jsonl'), '');
  writeFileSync(join(out, 'metrics.csv'), CSV_HEADER);
}

/** One JSON line and one CSV row per epoch, as the (coalesced) epoch events deliver them. */
function logEpochs(out: string, records: readonly EpochRecord[]): void {
  let jsonl = '';
  let csv = '';
  for (const r of records) {
    jsonl += `${JSON.stringify({ type: 'epoch', epoch: r.epoch, step: r.step, lr: r.lr, seconds: roundMetric(r.seconds), train: rounded(r.train), ...(r.validation ? { validation: rounded(r.validation) } : {}) })}\n`;
    const cell = (x: number | undefined): string => (x === undefined ? '' : String(roundMetric(x)));
    csv += `${r.epoch},${r.step},${r.lr},${cell(r.seconds)},${cell(r.train.loss)},${cell(r.train.accuracy)},${cell(r.validation?.loss)},${cell(r.validation?.accuracy)}\n`;
  }
  appendFileSync(join(out, 'metrics.jsonl'), jsonl);
  appendFileSync(join(out, 'metrics.csv'), csv);
}

function rounded<M extends Metrics>(m: M): M {
  return {
    ...m,
    loss: roundMetric(m.loss),
    ...(m.accuracy !== undefined ? { accuracy: roundMetric(m.accuracy) } : {}),
    ...(m.perClassAccuracy !== undefined ? { perClassAccuracy: m.perClassAccuracy.map((a) => (a === null ? null : roundMetric(a))) } : {}),
  };
}

function printFailure(failure: TrainingFailure, io: CliIO, lang: Lang): void {
  io.stderr.write(`netwright: ${failure.message[lang]} [${failure.code}]\n  ${lang === 'ja' ? 'ヒント' : 'hint'}: ${failure.hint[lang]}\n`);
}

function summarize(last: EpochRecord | undefined, test: EvaluationMetrics | undefined, sink: TextSink, lang: Lang): void {
  const L = lang === 'ja'
    ? { train: '訓練', val: '検証', test: 'テスト', loss: '損失', acc: '正解率' }
    : { train: 'train', val: 'validation', test: 'test', loss: 'loss', acc: 'accuracy' };
  const line = (label: string, m: Metrics): string =>
    `${label}: ${L.loss} ${m.loss.toFixed(4)}${m.accuracy !== undefined ? `  ${L.acc} ${(m.accuracy * 100).toFixed(2)}%` : ''}\n`;
  if (last !== undefined) {
    sink.write(line(L.train, last.train));
    if (last.validation) sink.write(line(L.val, last.validation));
  }
  if (test !== undefined) sink.write(line(L.test, test));
}

// ---------------------------------------------------------------------------------------------
// eval

async function evalCommand(args: readonly string[], io: CliIO, lang: Lang): Promise<number> {
  const { graph, values, help } = parse(
    args,
    { weights: { type: 'string' }, batch: { type: 'string' }, backend: { type: 'string' }, threads: { type: 'string' }, json: { type: 'boolean' } },
    'eval',
  );
  if (help) {
    io.stdout.write(`${HELP.eval[lang]}\n`);
    return EXIT_OK;
  }
  const weights = values['weights'];
  const graphPath = requireGraph(graph, 'eval');
  if (typeof weights !== 'string') {
    throw new CliExit(EXIT_USAGE, t('eval: give the weights with --weights W.safetensors.', 'eval: --weights W.safetensors で重みを指定してください。'));
  }
  const json = values['json'] === true;
  const opened = await openGraph(graphPath, io, lang);
  const checkpoint = await readCheckpoint(resolve(io.cwd, weights));
  const data = await loadData(opened.doc, opened.path, io, json);
  const dataset = data.test ?? data.train;
  if (data.test === undefined && !json) {
    io.stderr.write(`${lang === 'ja' ? 'お知らせ: このデータセットにはテストデータがないため、訓練データで評価します。' : 'notice: this dataset has no test set; evaluating on the training set.'}\n`);
  }
  const backend = await createBackend(values, io, lang);
  try {
    const model = buildModel(opened.doc, { backend });
    try {
      loadWeights(model, checkpoint);
      const metrics = await evaluate(model, opened.doc, dataset, { batchSize: intOption(values, 'batch', 1, 65536) ?? 256 });
      if (json) io.stdout.write(`${JSON.stringify({ dataset: dataset.name, ...rounded(metrics) })}\n`);
      else printEvaluation(dataset.name, dataset.classes, metrics, io.stdout, lang);
      return EXIT_OK;
    } finally {
      model.dispose();
    }
  } finally {
    backend.dispose();
  }
}

function printEvaluation(name: string, classes: readonly string[] | undefined, m: EvaluationMetrics, sink: TextSink, lang: Lang): void {
  const ja = lang === 'ja';
  sink.write(`${name}: ${m.samples.toLocaleString('en-US')} ${ja ? 'サンプル' : 'samples'}\n`);
  sink.write(`${ja ? '損失' : 'loss'} ${m.loss.toFixed(4)}\n`);
  if (m.accuracy === undefined) return;
  sink.write(`${ja ? '正解率' : 'accuracy'} ${(m.accuracy * 100).toFixed(2)}%\n`);
  const names = (k: number): string => classes?.[k] ?? String(k);
  if (m.perClassAccuracy) {
    sink.write(`${ja ? 'クラス別正解率' : 'per-class accuracy'}:\n`);
    m.perClassAccuracy.forEach((a, k) => sink.write(`  ${names(k).padEnd(14)} ${a === null ? '—' : `${(a * 100).toFixed(1)}%`}\n`));
  }
  if (m.confusion && m.confusion.length <= 20) {
    sink.write(`${ja ? '混同行列（行: 正解、列: 予測）' : 'confusion matrix (rows: true, columns: predicted)'}:\n`);
    const width = Math.max(4, ...m.confusion.flat().map((c) => String(c).length + 1));
    sink.write(`${''.padStart(6)}${m.confusion.map((_, k) => String(k).padStart(width)).join('')}\n`);
    m.confusion.forEach((row, k) => sink.write(`${String(k).padStart(6)}${row.map((c) => String(c).padStart(width)).join('')}\n`));
  }
}

// ---------------------------------------------------------------------------------------------
// info

async function info(args: readonly string[], io: CliIO, lang: Lang): Promise<number> {
  const { graph, values, help } = parse(args, { json: { type: 'boolean' } }, 'info');
  if (help) {
    io.stdout.write(`${HELP.info[lang]}\n`);
    return EXIT_OK;
  }
  const path = requireGraph(graph, 'info');
  let source: string;
  try {
    source = await readFile(resolve(io.cwd, path), 'utf8');
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new CliExit(EXIT_USAGE, t(`Cannot read the graph file ${path}: ${detail}`, `グラフファイル ${path} を読めません: ${detail}`));
  }
  const loaded = loadDocument(source);
  if (loaded.document === undefined) {
    printDiagnostics(loaded.diagnostics, io.stderr, lang);
    throw new CliExit(EXIT_USAGE, t(`${path} is not a valid graph.`, `${path} は正しいグラフではありません。`));
  }
  const doc = loaded.document;
  const graphReport = validateGraph(doc);
  const ja = lang === 'ja';
  const rows = graphReport.order.map((id) => {
    const n = graphReport.nodes.get(id)!;
    return {
      id,
      type: n.spec.type,
      output: n.outputs?.[0] !== undefined ? formatShape(n.outputs[0]) : '?',
      params: n.paramCount,
      flops: n.flops,
      memoryBytes: n.memoryBytes,
    };
  });
  if (values['json'] === true) {
    io.stdout.write(`${JSON.stringify({ name: doc.name, nodes: rows, totals: graphReport.totals, training: doc.training, diagnostics: graphReport.diagnostics })}\n`);
  } else {
    const out = io.stdout;
    out.write(`${doc.name}${doc.description ? `\n${doc.description}` : ''}\n\n`);
    const head = ja ? ['ノード', '種類', '出力', 'パラメータ', 'FLOPs', 'メモリ'] : ['node', 'type', 'output', 'params', 'FLOPs', 'memory'];
    const table = [head, ...rows.map((r) => [r.id, r.type, r.output, num(r.params), num(r.flops), bytes(r.memoryBytes)])];
    table.push([ja ? '合計' : 'total', '', '', num(graphReport.totals.paramCount), num(graphReport.totals.flops), bytes(graphReport.totals.memoryBytes)]);
    const widths = head.map((_, c) => Math.max(...table.map((row) => displayWidth(row[c]!))));
    for (const row of table) out.write(`${row.map((cell, c) => (c >= 3 ? padStartW(cell, widths[c]!) : padEndW(cell, widths[c]!))).join('  ')}\n`);
    const tr = doc.training;
    out.write(
      `\n${ja ? '学習設定' : 'training'}: ${ja ? 'データセット' : 'dataset'} ${tr.dataset.name}, ${tr.optimizer.type} lr ${tr.optimizer.lr}, ${tr.schedule.type}, ${tr.mode} ${ja ? 'バッチ' : 'batch'} ${tr.batchSize}, ${tr.epochs} ${ja ? 'エポック' : 'epochs'}, seed ${tr.seed}, ${ja ? '検証' : 'validation'} ${tr.validationSplit}\n`,
    );
    out.write(`${ja ? 'メモリは学習時の見積もり（バッチ' : 'memory: training estimate (batch'} ${tr.batchSize}${ja ? '）' : ')'}\n`);
    if (graphReport.diagnostics.length === 0) out.write(`${ja ? '診断: 問題なし' : 'diagnostics: none'}\n`);
    else {
      out.write(`${ja ? '診断' : 'diagnostics'}:\n`);
      printDiagnostics(graphReport.diagnostics, out, lang);
    }
  }
  return graphReport.diagnostics.some((d) => d.severity === 'error') ? EXIT_USAGE : EXIT_OK;
}

function num(n: number): string {
  return n.toLocaleString('en-US');
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

/** Terminal columns of a string: CJK characters take two (so Japanese headers line up). */
function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  return w;
}

function padEndW(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - displayWidth(s)));
}

function padStartW(s: string, width: number): string {
  return ' '.repeat(Math.max(0, width - displayWidth(s))) + s;
}
