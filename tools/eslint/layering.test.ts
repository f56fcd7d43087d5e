// Proves the layering rule bites: each forbidden import of DESIGN.md §2 is linted as a
// virtual file at a real path with the project's own ESLint config, and must be an error;
// the allowed imports beside them must pass.

import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const eslint = new ESLint({ cwd: root });

async function lint(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.severity === 2).map((m) => `${m.ruleId}: ${m.message}`);
}

const forbidden: [string, string, string][] = [
  ['renderer imports engine core', 'renderer/src/bad.ts', "import { x } from '../../engine/core/tensor.js';\nexport const y = x;\n"],
  ['renderer imports a backend', 'renderer/src/editor/bad.ts', "export * from '../../../engine/backends/wasm/index.js';\n"],
  ['renderer imports the host', 'renderer/src/bad.ts', "export { main } from '../../engine/host/cli.js';\n"],
  ['renderer imports app', 'renderer/src/bad.ts', "import '../../app/main.js';\n"],
  ['renderer imports Node', 'renderer/src/bad.ts', "import fs from 'node:fs';\nexport const f = fs;\n"],
  ['renderer imports Electron', 'renderer/src/bad.ts', "import { ipcRenderer } from 'electron';\nexport const i = ipcRenderer;\n"],
  ['renderer dynamic import of engine', 'renderer/src/bad.ts', "export const m = import('../../engine/train/trainer.js');\n"],
  ['protocol imports node:fs', 'engine/protocol/bad.ts', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n"],
  ['protocol imports bare fs', 'engine/protocol/bad.ts', "import * as fs from 'fs';\nexport const r = fs;\n"],
  ['protocol imports Electron', 'engine/protocol/bad.ts', "import { app } from 'electron';\nexport const a = app;\n"],
  ['protocol imports React', 'engine/protocol/bad.ts', "import React from 'react';\nexport const r = React;\n"],
  ['protocol imports engine core', 'engine/protocol/bad.ts', "import { t } from '../core/tensor.js';\nexport const u = t;\n"],
  ['protocol uses document', 'engine/protocol/bad.ts', 'export const el = document.body;\n'],
  ['protocol uses window', 'engine/protocol/bad.ts', 'export const w = window.innerWidth;\n'],
  ['protocol uses process', 'engine/protocol/bad.ts', 'export const env = process.env;\n'],
  ['engine uses document', 'engine/train/bad.ts', 'export const el = document.body;\n'],
  ['engine imports Electron', 'engine/train/bad.ts', "import { app } from 'electron';\nexport const a = app;\n"],
  ['engine imports renderer', 'engine/train/bad.ts', "import '../../renderer/src/main.js';\n"],
  ['one concrete backend imports another', 'engine/backends/wasm/bad.ts', "import { x } from '../reference/index.js';\nexport const y = x;\n"],
  ['engine layer imports a concrete backend', 'engine/layers/bad.ts', "import { WasmBackend } from '../backends/wasm/index.js';\nexport const b = WasmBackend;\n"],
  ['app imports renderer', 'app/bad.ts', "import '../renderer/src/main.js';\n"],
  ['app imports engine internals', 'app/bad.ts', "import { x } from '../engine/core/tensor.js';\nexport const y = x;\n"],
  ['e2e imports source', 'e2e/bad.spec.ts', "import { CATALOG } from '../engine/protocol/index.js';\nexport const c = CATALOG;\n"],
];

const allowed: [string, string, string][] = [
  ['renderer imports protocol', 'renderer/src/ok.ts', "import { CATALOG } from '../../engine/protocol/index.js';\nexport const c = CATALOG;\n"],
  ['protocol imports protocol', 'engine/protocol/ok.ts', "import { text } from './text.js';\nexport const t = text;\n"],
  ['protocol uses valibot', 'engine/protocol/ok.ts', "import * as v from 'valibot';\nexport const s = v.string();\n"],
  ['engine host imports a backend', 'engine/host/ok.ts', "import { WasmBackend } from '../backends/wasm/index.js';\nexport const b = WasmBackend;\n"],
  ['a backend imports its own files', 'engine/backends/wasm/kernels/ok.ts', "import { x } from '../memory.js';\nexport const y = x;\n"],
  ['engine imports Node', 'engine/data/ok.ts', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n"],
  ['app imports Electron and protocol', 'app/ok.ts', "import { app } from 'electron';\nimport { CATALOG } from '../engine/protocol/index.js';\nexport const a = [app, CATALOG];\n"],
];

describe('layering lint rule (DESIGN.md §2)', () => {
  it.each(forbidden)('rejects: %s', async (_name, file, code) => {
    const errors = await lint(file, code);
    expect(errors.some((e) => e.startsWith('netwright/layering') || e.startsWith('no-restricted-globals'))).toBe(true);
  });

  it.each(allowed)('allows: %s', async (_name, file, code) => {
    expect(await lint(file, code)).toEqual([]);
  });
});
