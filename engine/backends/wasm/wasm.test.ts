// The shared op suite (engine/backends/testing/opSuite.ts) on the wasm backend, against the
// float64 reference, with one thread and with two (the worker pool and its fixed splits).

import { ReferenceBackend } from '../reference/reference.js';
import { defineOpSuite } from '../testing/opSuite.js';
import { createWasmBackend } from './index.js';

for (const threads of [1, 2]) {
  defineOpSuite(`wasm (${threads} thread${threads > 1 ? 's' : ''})`, () => createWasmBackend({ threads }), {
    reference: () => new ReferenceBackend(),
  });
}
