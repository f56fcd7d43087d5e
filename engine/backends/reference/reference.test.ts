// Runs the shared op suite on the reference backend, against a second reference instance and
// with the finite-difference checks that only a float64 backend can pass. The oracle's own
// kernels and lifetime errors are pinned independently in kernels.test.ts.

import { defineOpSuite } from '../testing/opSuite.js';
import { ReferenceBackend } from './reference.js';

defineOpSuite('reference', () => new ReferenceBackend(), { reference: () => new ReferenceBackend() });
