// Monaco, bundled locally (never from a CDN): only the editor core, TypeScript's syntax
// highlighting (the Monarch grammar, no language service) and the editor worker, which Vite
// builds as a same-origin module worker — so the CSP's script-src 'self' covers it and no
// blob: worker is needed. This module is loaded with a dynamic import by CodePanel, so none of
// it is in the editor's first paint.
import * as monaco from 'monaco-editor/esm/vs/editor/editor.api';
import 'monaco-editor/esm/vs/basic-languages/typescript/typescript.contribution';
import EditorWorker from 'monaco-editor/esm/vs/editor/editor.worker?worker';

self.MonacoEnvironment = { getWorker: () => new EditorWorker() };

export { monaco };
