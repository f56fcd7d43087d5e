// Training from the app with the live panels (issue #7), as a user does it: open a lesson from
// the gallery, open the training dock, set the epochs, press Run, and watch. The MNIST MLP must
// reach 90% validation accuracy within 120 s with a falling loss curve; the confusion matrix
// must account for every validation sample and list a cell's samples; the try-it pad must
// answer a drawing; histograms must move during training; the CNN must show its filters and
// feature maps; two runs with different optimizers must be overlaid with a legend.
import { readFile } from 'node:fs/promises';
import { expect, test } from './fixtures';
import { TrainPage } from './pages/train';

/** MNIST's bundled set: 8,000 training samples; the lessons hold out 10% for validation. */
const MNIST_VALIDATION = 800;

test('the MNIST MLP trains from the app: loss falls, ≥90% within 120 s, confusion matrix, try it', async ({ editor }) => {
  test.setTimeout(240_000);
  const train = new TrainPage(editor.page);
  await train.openLesson('mnist-mlp');
  await train.openDock();
  await train.setNumber('epochs', 3);
  await expect(train.run).toBeEnabled({ timeout: 20_000 });
  const started = Date.now();
  await train.run.click();

  // The loss curve gains points while the run goes.
  await expect.poll(() => train.numberOf(train.lossCurve, 'data-points'), { timeout: 30_000 }).toBeGreaterThan(2);
  const early = await train.numberOf(train.lossCurve, 'data-points');
  await expect.poll(() => train.numberOf(train.lossCurve, 'data-points'), { timeout: 30_000 }).toBeGreaterThan(early);
  await expect(train.progress).toContainText(/samples\/s/);

  await expect.poll(async () => Number(await train.validationAccuracy.getAttribute('data-value').catch(() => null)), { timeout: 120_000 }).toBeGreaterThanOrEqual(0.9);
  const seconds = (Date.now() - started) / 1000;
  console.log(`mnist-mlp: ≥90% validation accuracy after ${seconds.toFixed(1)} s`);
  expect(seconds).toBeLessThan(120);
  await train.waitForState('completed');
  const first = await train.numberOf(train.lossCurve, 'data-first');
  const last = await train.numberOf(train.lossCurve, 'data-last');
  console.log(`mnist-mlp: loss ${first} → ${last}, validation accuracy ${await train.validationAccuracy.getAttribute('data-value')}`);
  expect(last).toBeLessThan(first);

  // The first Dense layer takes 784 pixels: its weights show as 28×28 pictures (64 of its 512 units).
  await expect.poll(() => train.numberOf(train.filterGrid, 'data-count'), { timeout: 10_000 }).toBe(64);

  // Confusion matrix: evaluated when the run ends; its cells account for every validation sample.
  await expect(train.confusionCells).toHaveCount(100);
  const counts = await train.confusionCells.evaluateAll((cells) => cells.map((c) => Number(c.getAttribute('data-count'))));
  expect(counts.reduce((a, b) => a + b, 0)).toBe(MNIST_VALIDATION);
  await expect(train.confusionSummary).toHaveAttribute('data-size', String(MNIST_VALIDATION));
  // Drill-down: the largest off-diagonal cell lists its misclassified samples.
  const wrong = train.confusionCells.and(editor.page.locator('[data-diagonal="false"]'));
  const wrongCounts = await wrong.evaluateAll((cells) => cells.map((c) => Number(c.getAttribute('data-count'))));
  const worst = wrongCounts.indexOf(Math.max(...wrongCounts));
  expect(wrongCounts[worst]).toBeGreaterThan(0);
  await wrong.nth(worst).click();
  await expect(train.confusionSamples).toHaveCount(Math.min(wrongCounts[worst]!, 32));

  // Try it: a drawn "1" and a drawn "0" get different answers, each shown as it is drawn.
  await expect(train.tryPrediction).not.toHaveAttribute('data-class', /./);
  await train.draw([[0.5, 0.15], [0.5, 0.85]]);
  await expect(train.tryPrediction).toHaveAttribute('data-class', /^\d$/);
  const one = await train.tryPrediction.getAttribute('data-class');
  await train.tryClear.click();
  await expect(train.tryPrediction).not.toHaveAttribute('data-class', /./);
  const ring = Array.from({ length: 25 }, (_, i) => [0.5 + 0.27 * Math.sin((i / 24) * 2 * Math.PI), 0.5 - 0.35 * Math.cos((i / 24) * 2 * Math.PI)] as const);
  await train.draw(ring);
  await expect(train.tryPrediction).toHaveAttribute('data-class', /^\d$/);
  const zero = await train.tryPrediction.getAttribute('data-class');
  console.log(`try it: a stroke reads as ${one}, a ring as ${zero}`);
  expect(zero).not.toBe(one);
});

test('histograms update during training, then two runs with different optimizers overlay with a legend', async ({ editor }) => {
  test.setTimeout(180_000);
  const train = new TrainPage(editor.page);
  await train.openLesson('mnist-mlp');
  await train.openDock();
  await train.setNumber('epochs', 30);
  await expect(train.run).toBeEnabled({ timeout: 20_000 });
  await train.run.click();
  await train.waitForState('running', 30_000);
  await expect.poll(() => train.numberOf(train.histStep, 'data-step'), { timeout: 20_000 }).toBeGreaterThan(0);
  const step = await train.numberOf(train.histStep, 'data-step');
  await expect.poll(() => train.numberOf(train.histStep, 'data-step'), { timeout: 20_000 }).toBeGreaterThan(step);
  // Weight, gradient and activation rows for the three Dense layers.
  await expect(train.histRows.and(editor.page.locator('[data-kind="gradient"]'))).toHaveCount(6);
  await expect(train.histRows.and(editor.page.locator('[data-kind="activation"]')).first()).toBeVisible();
  // Pause holds the step; Resume goes on.
  await train.pause.click();
  await train.waitForState('paused', 10_000);
  await train.resume.click();
  await train.waitForState('running', 10_000);
  // Ctrl+Enter stops a run (and starts one when idle).
  await editor.page.keyboard.press('Control+Enter');
  await train.waitForState('stopped', 10_000);

  // Run 2: the same settings with one change (the optimizer), through "Duplicate".
  await train.setNumber('epochs', 1);
  await editor.page.keyboard.press('Control+Enter');
  await train.waitForState('completed');
  await editor.page.getByTestId('legend-duplicate').last().click();
  await expect(editor.page.getByTestId('train-panel-duplicate')).toBeVisible();
  await train.field('optimizer').selectOption('sgd');
  await train.setNumber('lr', 0.05);
  await train.run.click();
  await expect(editor.page.getByTestId('train-panel-duplicate')).toBeHidden();
  await train.waitForState('completed');
  const optimizers = await train.legendRuns.evaluateAll((items) => items.map((i) => i.getAttribute('data-optimizer')));
  expect(optimizers.slice(-2)).toEqual(['adam', 'sgd']);
  // Every run has a training and a validation curve on the chart.
  await expect(train.lossCurve).toHaveAttribute('data-series', String(2 * optimizers.length));
});

test('the CNN shows its filters and a feature-map grid for a sample', async ({ editor }) => {
  test.setTimeout(120_000);
  const train = new TrainPage(editor.page);
  await train.openLesson('mnist-cnn');
  await train.openDock();
  await train.setNumber('epochs', 1);
  await expect(train.run).toBeEnabled({ timeout: 20_000 });
  await train.run.click();
  await expect.poll(() => train.numberOf(train.filterGrid, 'data-count'), { timeout: 60_000 }).toBeGreaterThanOrEqual(8);
  // conv1 has 16 filters, so 16 feature maps of 28×28 for the chosen sample.
  await expect.poll(() => train.numberOf(train.featureMaps, 'data-count'), { timeout: 60_000 }).toBe(16);
  await editor.page.getByTestId('features-sample').fill('7');
  await expect(editor.page.getByTestId('features-input')).toBeVisible();
  await train.waitForState('completed', 90_000);
});

test('XOR shows its decision boundary; charts export as PNG and CSV downloads', async ({ editor }) => {
  test.setTimeout(120_000);
  const train = new TrainPage(editor.page);
  await train.openLesson('xor-two-layer');
  await train.openDock();
  await expect(train.run).toBeEnabled({ timeout: 20_000 });
  await train.run.click();
  await train.waitForState('completed', 90_000);
  await expect(editor.page.getByTestId('boundary-canvas')).toBeVisible({ timeout: 10_000 });
  // XOR has no validation split: the confusion matrix says why instead of showing nothing.
  await expect(editor.page.getByTestId('panel-confusion')).toContainText('no validation samples');

  const png = editor.page.waitForEvent('download');
  await editor.page.getByTestId('panel-curves-png').click();
  const picture = await png;
  expect(picture.suggestedFilename()).toBe('netwright-curves.png');
  const bytes = await readFile((await picture.path())!);
  expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

  const csv = editor.page.waitForEvent('download');
  await editor.page.getByTestId('panel-curves-csv').click();
  const table = await csv;
  expect(table.suggestedFilename()).toBe('netwright-curves.csv');
  const lines = (await readFile((await table.path())!, 'utf8')).trim().split('\n');
  expect(lines[0]).toBe('run,optimizer,lr,batchSize,step,epoch,split,loss,accuracy');
  expect(lines.length).toBeGreaterThan(10);
  expect(lines[1]).toMatch(/^\d+,sgd,0\.5,4,\d+,\d+(\.\d+)?,train,/);
});
