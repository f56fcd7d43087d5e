// The backprop debugger on the XOR lesson (2-4-1, tanh, sigmoid, binary cross-entropy), against
// the real engine: stepping forward through every node and back, with the numbers on the edges;
// the float64 gradient check of every node; the sigmoid expanded into its op graph with forward
// values and gradients; a breakpoint stopping the forward run; the SGD step's ΔW = −lr·gradient;
// and leaving debug mode with the document untouched.
import { expect, test } from './fixtures';
import { DebuggerPage } from './pages/debugger';
import { TrainPage } from './pages/train';

const FORWARD = ['x', 'hidden', 'tanh', 'out', 'sigmoid', 'loss'];
const EDGES = ['e1', 'e2', 'e3', 'e4', 'e5'];
const NUMBER = /\d/;

test.describe('the backprop debugger', () => {
  let debug: DebuggerPage;

  test.beforeEach(async ({ editor, page }) => {
    // The editor fixture opens the app.
    expect(editor.page).toBe(page);
    debug = new DebuggerPage(page);
    await debug.openLesson('xor-two-layer');
  });

  test('steps forward through every node, then backward, with numbers on the edges; every node passes the gradient check', async ({ editor, page }) => {
    const before = JSON.stringify(await editor.getDocument());
    await debug.begin();
    await expect(debug.panel).toBeVisible();
    await expect(editor.inspector).toHaveCount(0);

    for (const [i, id] of FORWARD.entries()) {
      await debug.step.click();
      await debug.idle();
      await expect(debug.node(id)).toHaveClass(/is-debug-current/);
      await expect(debug.node(id)).toHaveAttribute('data-debug', 'forward');
      // Later nodes are not reached yet.
      const next = FORWARD[i + 1];
      if (next !== undefined) await expect(debug.node(next)).not.toHaveAttribute('data-debug', /.+/);
    }
    expect(await debug.phase()).toBe('backward');
    // Forward values on every edge (XOR: 4 units at most, so numbers, not summaries).
    for (const id of EDGES) await expect(debug.edge(id).getByTestId('debug-edge-forward')).toHaveText(/^\[.*\d.*\]$/);
    await expect(page.getByTestId('debug-edge-grad')).toHaveCount(0);

    for (const id of [...FORWARD].reverse()) {
      await debug.stepBack.click();
      await debug.idle();
      await expect(debug.node(id)).toHaveClass(/is-debug-current/);
      await expect(debug.node(id)).toHaveAttribute('data-debug', 'backward');
    }
    expect(await debug.phase()).toBe('done');
    for (const id of EDGES) {
      await expect(debug.edge(id).getByTestId('debug-edge-forward')).toHaveText(NUMBER);
      await expect(debug.edge(id).getByTestId('debug-edge-grad')).toHaveText(NUMBER);
      // Coloured by magnitude: a gradient magnitude is known for every edge.
      expect(Number(await debug.edge(id).getAttribute('data-magnitude'))).toBeGreaterThan(0);
    }
    const hidden = FORWARD[1]!;
    await editor.select(hidden);
    await expect(debug.panel).toHaveAttribute('data-node-id', hidden);
    await expect(debug.panel.getByTestId('debug-grad-param')).toHaveCount(2);
    await expect(debug.panel.getByTestId('debug-grad-input')).toHaveCount(1);

    await debug.panel.getByTestId('debug-gradcheck-all').click();
    await debug.idle();
    const rows = debug.panel.getByTestId('debug-gradcheck-node');
    await expect(rows).toHaveCount(FORWARD.length);
    for (const row of await rows.all()) {
      const id = await row.getAttribute('data-node-id');
      const error = Number(await row.getAttribute('data-max-error'));
      console.log(`gradient check ${id}: max relative error ${error.toExponential(2)}`);
      expect(error, id ?? '').toBeLessThan(1e-6);
    }
    // The selected node's own table, with timings.
    await expect(debug.panel.getByTestId('debug-gradcheck-result')).toContainText(/analytic [\d.]+ ms · numeric [\d.]+ ms/);

    // Leaving debug mode: the inspector is back, the edges are plain, the document untouched.
    await debug.stop.click();
    await expect(editor.inspector).toBeVisible();
    await expect(debug.edgeLabels).toHaveCount(0);
    expect(JSON.stringify(await editor.getDocument())).toBe(before);
  });

  test('expanding the sigmoid node shows its op graph with forward values, then backward values', async ({ editor }) => {
    await debug.begin();
    await debug.continueButton.click();
    await debug.idle();
    expect(await debug.phase()).toBe('backward');
    await editor.select('sigmoid');
    await debug.panel.getByTestId('debug-expand').click();
    await debug.idle();
    await expect(debug.opGraph).toBeVisible();
    await expect(debug.opGraph.getByTestId('opgraph-op')).toHaveText(['×(−1)', 'exp', '+1', '1/x']);
    const forward = debug.opGraph.getByTestId('opgraph-forward');
    const grads = debug.opGraph.getByTestId('opgraph-grad');
    // x → neg → exp → +1 → 1/x → y: five arrows, each with its value.
    await expect(forward).toHaveCount(5);
    for (const label of await forward.all()) await expect(label).toHaveText(NUMBER);
    for (const label of await grads.all()) await expect(label).toHaveText('');

    await debug.stepBack.click(); // loss
    await debug.idle();
    await debug.stepBack.click(); // sigmoid
    await debug.idle();
    await expect(grads).toHaveCount(5);
    for (const label of await grads.all()) await expect(label).toHaveText(NUMBER);
    // The chain rule with its numbers: upstream × local = downstream.
    const chain = debug.opGraph.getByTestId('chain-rule-elementwise');
    await expect(chain).toBeVisible();
    const upstream = Number(await chain.getAttribute('data-upstream'));
    const local = Number(await chain.getAttribute('data-local'));
    const downstream = Number(await chain.getAttribute('data-downstream'));
    expect(upstream * local).toBeCloseTo(downstream, 6);
    expect(local).toBeGreaterThan(0);
    expect(local).toBeLessThanOrEqual(0.25);
  });

  test('a breakpoint on a middle node stops the forward run there', async ({ editor, page }) => {
    await debug.begin();
    await editor.select('out');
    await page.keyboard.press('F9');
    await expect(debug.node('out').getByTestId('node-breakpoint')).toBeVisible();
    await page.keyboard.press('F5');
    await debug.idle();
    await expect(debug.status).toContainText('Stopped at breakpoint out');
    await expect(debug.node('out')).toHaveClass(/is-debug-current/);
    for (const id of ['x', 'hidden', 'tanh', 'out']) await expect(debug.node(id)).toHaveAttribute('data-debug', 'forward');
    for (const id of ['sigmoid', 'loss']) await expect(debug.node(id)).not.toHaveAttribute('data-debug', /.+/);
    expect(await debug.phase()).toBe('forward');
    // Continue again: past the breakpoint to the end of the forward pass.
    await debug.continueButton.click();
    await debug.idle();
    expect(await debug.phase()).toBe('backward');
    await expect(debug.node('loss')).toHaveAttribute('data-debug', 'forward');
  });

  test('the SGD optimizer step shows ΔW = −lr × gradient and the new W for the selected node', async ({ editor }) => {
    await debug.begin();
    await editor.select('hidden');
    await debug.panel.getByTestId('debug-optimizer-step').click();
    await debug.idle();
    const info = debug.panel.getByTestId('debug-optimizer-info');
    await expect(info).toHaveAttribute('data-optimizer', 'sgd');
    const lr = Number(await info.getAttribute('data-lr'));
    expect(lr).toBe(0.5);
    const updates = debug.panel.getByTestId('debug-update');
    await expect(updates).toHaveCount(2);
    for (const update of await updates.all()) {
      const grad = await debug.values(update.getByTestId('debug-update-grad'));
      const delta = await debug.values(update.getByTestId('debug-update-delta'));
      expect(delta).toHaveLength(grad.length);
      expect(grad.some((g) => Math.abs(g) > 1e-4)).toBe(true);
      delta.forEach((d, i) => expect(Math.abs(d - -lr * grad[i]!)).toBeLessThan(1e-6));
      await expect(update.getByTestId('debug-update-value')).toHaveText(NUMBER);
    }
  });
});

test('a CNN lesson: large tensors are summarised on the edges, feature maps shown as heatmaps, and conv1 passes the gradient check', async ({ editor, page }) => {
  test.setTimeout(90_000);
  expect(editor.page).toBe(page);
  const debug = new DebuggerPage(page);
  await debug.openLesson('mnist-cnn');
  await debug.begin();
  // One sample: the float64 gradient check runs the whole CNN on the reference backend per element.
  await page.getByTestId('debug-batch').selectOption('1');
  await debug.idle();
  await debug.continueButton.click();
  await debug.idle();
  await debug.continueButton.click();
  await debug.idle();
  expect(await debug.phase()).toBe('done');
  // conv1's output per sample is 16×28×28 values: shape and mean ± std, not numbers.
  const conv1Out = page.locator('[data-testid="debug-edge-label"]').filter({ hasText: '16×28×28' });
  await expect(conv1Out.first()).toBeVisible();
  await expect(conv1Out.first().getByTestId('debug-edge-forward')).toContainText('μ');
  await expect(conv1Out.first().getByTestId('debug-edge-grad')).toContainText('μ');
  await editor.select('conv1');
  await expect(debug.panel.getByTestId('debug-heatmap')).toBeVisible();
  await expect(debug.panel.getByTestId('debug-histogram').first()).toBeVisible();
  await debug.panel.getByTestId('debug-gradcheck-run').click();
  const result = debug.panel.getByTestId('debug-gradcheck-result');
  await expect(result).toBeVisible({ timeout: 60_000 });
  console.log(`gradient check conv1 (mnist-cnn): ${await result.locator('p').first().textContent()}`);
  const error = Number(await result.getAttribute('data-max-error'));
  console.log(`gradient check conv1 (mnist-cnn): max relative error ${error.toExponential(2)}`);
  expect(error).toBeLessThan(1e-6);
  // MNIST's blank background puts conv1's outputs at exactly the zero bias, on ReLU's corner:
  // those bias elements are shown as kinks, not counted.
  await expect(debug.panel.getByTestId('debug-gradcheck-kinks')).toBeVisible();
});

test('training from the dock while debugging ends debug mode (the engine holds one model) without an error', async ({ editor, page }) => {
  expect(editor.page).toBe(page);
  const debug = new DebuggerPage(page);
  const train = new TrainPage(page);
  await debug.openLesson('xor-two-layer');
  await debug.begin();
  await debug.step.click();
  await debug.idle();
  await train.openDock();
  await train.run.click();
  // The run replaced the debugged model: the toolbar goes, the editor's inspector comes back.
  await expect(debug.toolbar).toBeHidden();
  await expect(debug.error).toHaveCount(0);
  await expect(debug.start).toBeVisible();
  await train.waitForState('completed', 60_000);
});
