// Child process of the checkpoint round-trip test: loads a checkpoint into a model built from the
// graph saved beside it, in a fresh process (no state shared with the trainer that saved it),
// evaluates it on the test blobs, and prints the metrics as one JSON line.
//   node --import tsx engine/host/testing/evalCheckpoint.ts <graph.netwright.json> <weights.safetensors>

import { createWasmBackend } from '../../backends/wasm/index.js';
import { loadWeights, readCheckpoint, readGraphFile } from '../../train/checkpoint.js';
import { buildModel } from '../../train/model.js';
import { blobs } from '../../train/testing/datasets.js';
import { evaluate } from '../../train/trainer.js';

const [graphPath, weightsPath] = process.argv.slice(2);
if (graphPath === undefined || weightsPath === undefined) throw new Error('usage: evalCheckpoint <graph> <weights>');
const doc = await readGraphFile(graphPath);
const backend = await createWasmBackend({ threads: 1 });
try {
  const model = buildModel(doc, { backend, seed: 999 }); // another seed: every value must come from the file
  loadWeights(model, await readCheckpoint(weightsPath));
  const metrics = await evaluate(model, doc, blobs(3, 4, 100, 3));
  process.stdout.write(`${JSON.stringify({ accuracy: metrics.accuracy, loss: metrics.loss, confusion: metrics.confusion })}\n`);
} finally {
  backend.dispose();
}
