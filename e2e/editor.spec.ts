// The graph editor as a learner uses it (issue #6): build an MNIST MLP from an empty canvas with
// the mouse and see shapes and errors as they go; undo and redo the whole build; copy, paste,
// group and collapse; refuse illegal connections while dragging, saying why; and open a
// 1,000-node graph quickly enough to stay interactive.
import { expect, test } from './fixtures';
import type { EditorPage } from './pages/editor';

/** Builds Input → Dense 128 → ReLU → Dense 10 → Cross-entropy by dragging and connecting. Returns the node ids. */
async function buildMlp(editor: EditorPage) {
  const input = await editor.dropNode('Input', { x: 140, y: 120 });
  await editor.setInts('shape', [784]);
  const dense1 = await editor.dropNode('Dense', { x: 420, y: 120 });
  await editor.setNumber('units', 128);
  const relu = await editor.dropNode('ReLU', { x: 680, y: 120 });
  const dense2 = await editor.dropNode('Dense', { x: 140, y: 380 });
  await editor.setNumber('units', 10);
  const loss = await editor.dropNode('CrossEntropy', { x: 420, y: 380 });
  // Tidy up before wiring, as a learner would: dropped nodes can land on top of each other.
  await editor.toolbar('layout').click();
  await editor.page.waitForTimeout(400); // the fit-view animation after the layout

  await editor.connect({ node: input, port: 'out' }, { node: dense1, port: 'in' });
  await editor.connect({ node: dense1, port: 'out' }, { node: relu, port: 'in' });
  await editor.connect({ node: relu, port: 'out' }, { node: dense2, port: 'in' });
  await editor.connect({ node: dense2, port: 'out' }, { node: loss, port: 'in' });
  await expect(editor.edges).toHaveCount(4);
  return { input, dense1, relu, dense2, loss };
}

test('builds an MNIST MLP from an empty canvas, with shapes on edges and a mismatch explained', async ({ editor }) => {
  await expect(editor.nodes).toHaveCount(0);
  const ids = await buildMlp(editor);

  await expect(editor.edgeLabels).toHaveText(['[N,784]', '[N,128]', '[N,128]', '[N,10]']);
  await expect(editor.nodeById(ids.dense1).getByTestId('node-params')).toHaveText('100,480 params');
  await expect(editor.flow.getByTestId('node-issue')).toHaveCount(0);

  // A deliberate mistake: an image shape straight into Dense, without Flatten.
  await editor.select(ids.input);
  await editor.setInts('shape', [1, 28, 28]);
  const issue = editor.nodeById(ids.dense1).getByTestId('node-issue');
  await expect(issue).toBeVisible();
  await expect(issue).toContainText(/vector/i);
  await expect(issue).toHaveAttribute('title', /Fix: .*Flatten/);
  await expect(editor.edgeLabels.first()).toHaveText('[N,1,28,28]');

  // The inspector shows the message and its hint; in Japanese too.
  await editor.select(ids.dense1);
  await expect(editor.inspector.getByTestId('inspector-issue')).toContainText('Flatten');
  await editor.chooseLanguage('日本語');
  await expect(editor.inspector.getByTestId('inspector-issue').first()).toContainText(/[ぁ-んァ-ン一-龯]/);
  await expect(editor.nodeById(ids.dense1).getByTestId('node-issue')).toContainText(/[ぁ-んァ-ン一-龯]/);
  await editor.chooseLanguage('English');

  // The problems bar lists it with graph-level problems.
  await editor.page.getByTestId('problems-toggle').click();
  await expect(editor.page.getByTestId('problem').first()).toBeVisible();
});

test('undoes to an empty canvas and redoes to the same document; group, collapse, expand; copy, paste, delete', async ({ editor }) => {
  const ids = await buildMlp(editor);
  const built = await editor.getDocument();

  // Undo with the keyboard until nothing is left, then redo all of it.
  await editor.clickEmptyCanvas();
  let steps = 0;
  while (await editor.toolbar('undo').isEnabled()) {
    await editor.page.keyboard.press('ControlOrMeta+z');
    steps++;
    expect(steps).toBeLessThan(100);
  }
  await expect(editor.nodes).toHaveCount(0);
  expect(await editor.documentCounts()).toEqual({ nodes: 0, edges: 0, groups: 0 });
  for (let i = 0; i < steps; i++) await editor.page.keyboard.press(i % 2 === 0 ? 'ControlOrMeta+Shift+z' : 'ControlOrMeta+y');
  await expect(editor.toolbar('redo')).toBeDisabled();
  expect(await editor.getDocument()).toEqual(built);
  await expect(editor.nodes).toHaveCount(5);

  // Group the original pair, collapse it into one block, expand it again.
  await editor.select(ids.dense1);
  await editor.select(ids.relu, { add: true });
  await editor.page.keyboard.press('ControlOrMeta+g');
  expect(await editor.documentCounts()).toMatchObject({ groups: 1 });
  await editor.clickEmptyCanvas();
  await editor.select(ids.dense1);
  await editor.inspector.getByTestId('group-collapse').click();
  const block = editor.flow.getByTestId('group-node');
  await expect(block).toBeVisible();
  await expect(block.getByTestId('group-summary')).toHaveText('2 nodes · 100,480 params');
  await expect(editor.nodeById(ids.dense1)).toHaveCount(0);
  await expect(editor.nodes).toHaveCount(4);
  // The block keeps the external edges and their shapes.
  await expect(editor.edgeLabels).toContainText(['[N,784]', '[N,128]']);
  await block.getByTestId('group-expand').click();
  await expect(block).toHaveCount(0);
  await expect(editor.nodeById(ids.dense1)).toBeVisible();
  await expect(editor.nodes).toHaveCount(5);

  // Copy Dense 128 and ReLU (and the edge between them), paste twice.
  await editor.select(ids.dense1);
  await editor.select(ids.relu, { add: true });
  expect((await editor.selection()).sort()).toEqual([ids.dense1, ids.relu].sort());
  await editor.page.keyboard.press('ControlOrMeta+c');
  await editor.page.keyboard.press('ControlOrMeta+v');
  expect(await editor.documentCounts()).toMatchObject({ nodes: 7, edges: 5 });
  await editor.page.keyboard.press('ControlOrMeta+v');
  expect(await editor.documentCounts()).toMatchObject({ nodes: 9, edges: 6 });
  await expect(editor.nodes).toHaveCount(9);
  const pasted = await editor.selection();
  expect(pasted).toHaveLength(2);
  expect(pasted).not.toContain(ids.dense1);

  // Delete the pasted copy with the keyboard: one undo step brings it back.
  await editor.page.keyboard.press('Delete');
  expect(await editor.documentCounts()).toMatchObject({ nodes: 7, edges: 5 });
  await editor.page.keyboard.press('ControlOrMeta+z');
  expect(await editor.documentCounts()).toMatchObject({ nodes: 9, edges: 6 });

  // Auto-layout is one undo step too.
  const beforeLayout = await editor.getDocument();
  await editor.toolbar('layout').click();
  expect(await editor.getDocument()).not.toEqual(beforeLayout);
  await editor.toolbar('undo').click();
  expect(await editor.getDocument()).toEqual(beforeLayout);
});

test('refuses an illegal connection while dragging and says why', async ({ editor }) => {
  await editor.loadDocument({
    format: 'netwright.graph',
    version: 1,
    nodes: [
      { id: 'img', type: 'Input', params: { shape: [1, 28, 28] }, position: { x: 0, y: 0 } },
      { id: 'd1', type: 'Dense', params: { units: 32 }, position: { x: 300, y: 160 } },
      { id: 'r1', type: 'ReLU', position: { x: 600, y: 160 } },
    ],
    edges: [{ id: 'e1', source: { node: 'd1', port: 'out' }, target: { node: 'r1', port: 'in' } }],
  });
  await expect(editor.nodes).toHaveCount(3);

  // A cycle: ReLU's output back into the Dense that feeds it.
  await editor.dragConnectionOver({ node: 'r1', port: 'out' }, { node: 'd1', port: 'in' });
  await expect(editor.connectionReason).toBeVisible();
  await expect(editor.connectionReason).toContainText('cycle');
  await editor.page.mouse.up();
  await expect(editor.connectionReason).toHaveCount(0);
  expect(await editor.documentCounts()).toMatchObject({ edges: 1 });

  // A shape mismatch: an image into Dense, with the validator's reason, in Japanese.
  await editor.chooseLanguage('日本語');
  await editor.dragConnectionOver({ node: 'img', port: 'out' }, { node: 'd1', port: 'in' });
  await expect(editor.connectionReason).toContainText('形状が合いません');
  await editor.page.mouse.up();
  expect(await editor.documentCounts()).toMatchObject({ edges: 1 });
  await editor.chooseLanguage('English');

  // A legal one goes through.
  await editor.loadDocument({ ...((await editor.getDocument()) as object), nodes: [...(await editor.documentNodes()), { id: 'v', type: 'Input', params: { shape: [784] }, position: { x: 0, y: 300 } }] });
  await expect(editor.nodes).toHaveCount(4);
  await editor.connect({ node: 'v', port: 'out' }, { node: 'd1', port: 'in' });
  await expect.poll(() => editor.documentCounts()).toMatchObject({ edges: 2 });
});

/** Input → (Dense 16 → ReLU) × 499 → CrossEntropy: 1,000 nodes, laid out in a snake of rows. */
function bigGraph(count = 1000) {
  const nodes: { id: string; type: string; params?: Record<string, unknown>; position: { x: number; y: number } }[] = [];
  const at = (i: number) => ({ x: (i % 25) * 260, y: Math.floor(i / 25) * 160 });
  nodes.push({ id: 'n0', type: 'Input', params: { shape: [16] }, position: at(0) });
  for (let i = 1; i < count - 1; i++) nodes.push(i % 2 === 1 ? { id: `n${i}`, type: 'Dense', params: { units: 16 }, position: at(i) } : { id: `n${i}`, type: 'ReLU', position: at(i) });
  nodes.push({ id: `n${count - 1}`, type: 'CrossEntropy', position: at(count - 1) });
  const edges = nodes.slice(1).map((node, i) => ({ id: `e${i}`, source: { node: nodes[i]!.id, port: 'out' }, target: { node: node.id, port: 'in' } }));
  return { format: 'netwright.graph', version: 1, nodes, edges };
}

test('opens a 1,000-node graph in under 2 s, ready to select a node', async ({ editor }) => {
  const graph = bigGraph();
  const started = await editor.page.evaluate((doc) => {
    const t0 = performance.now();
    (window as unknown as { __netwrightTest: { loadDocument(d: unknown): void } }).__netwrightTest.loadDocument(doc);
    return t0;
  }, graph);
  // The graph opens on its first nodes; n6 is among them, in the middle of the view.
  const id = 'n6';
  const target = editor.nodeById(id);
  await expect(target).toBeVisible();
  await target.locator('.nw-node__header').click();
  await expect(editor.nodeById(id)).toHaveClass(/selected/);
  const elapsed = await editor.page.evaluate((t0) => performance.now() - t0, started);
  console.log(`1,000-node graph: rendered and a node selected after ${Math.round(elapsed)} ms (${await editor.nodes.count()} nodes in the DOM)`);
  expect(elapsed).toBeLessThan(2000);
  expect(await editor.documentCounts()).toMatchObject({ nodes: 1000, edges: 999 });
  await expect(editor.inspector.getByTestId('inspector-node')).toBeVisible();
});

test('screenshots: a built graph with shapes and an error, light/dark, en/ja', async ({ editor }, testInfo) => {
  const ids = await buildMlp(editor);
  await editor.select(ids.input);
  await editor.setInts('shape', [1, 28, 28]);
  await editor.select(ids.dense1);
  await editor.toolbar('fit').click();
  await editor.page.waitForTimeout(300);
  for (const lang of ['en', 'ja'] as const) {
    await editor.chooseLanguage(lang === 'en' ? 'English' : '日本語');
    for (const theme of ['light', 'dark'] as const) {
      if ((await editor.page.locator('html').getAttribute('data-theme')) !== theme) await editor.themeToggle.click();
      await editor.page.screenshot({ path: testInfo.outputPath(`editor-${theme}-${lang}.png`) });
    }
  }
});
