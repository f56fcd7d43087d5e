// The backend select next to Train (issue #11): choosing WebGPU trains the MNIST MLP template on
// the GPU (SwiftShader here and in CI), or — where the engine finds no adapter — on the CPU with
// the engine's notice shown beside the progress; the choice survives a reload.
import { readFileSync } from 'node:fs';
import { expect, test } from './fixtures';

const TEMPLATE = JSON.parse(readFileSync(new URL('../assets/examples/mnist-mlp.netwright.json', import.meta.url), 'utf8')) as {
  nodes: unknown[];
  training: { epochs: number };
};

test('WebGPU chosen next to Train runs the MLP template, and the choice is remembered', async ({ editor }, testInfo) => {
  test.setTimeout(120_000);
  const select = editor.page.getByTestId('train-backend');
  const controls = editor.page.getByTestId('train-controls');
  const notice = editor.page.getByTestId('train-notice');
  await expect(select).toHaveValue('cpu');
  await expect(select.locator('option')).toHaveText(['CPU', 'WebGPU (GPU)']);
  await select.selectOption('webgpu');

  await editor.loadDocument(TEMPLATE);
  await expect(editor.nodes).toHaveCount(TEMPLATE.nodes.length);
  await expect(editor.engineStatus).toHaveAttribute('data-status', 'connected');
  await editor.trainButton.click();
  await expect(editor.trainLine).toHaveAttribute('data-state', /^(running|completed)$/, { timeout: 90_000 });
  // The select is locked while the run goes on.
  if ((await editor.trainLine.getAttribute('data-state')) === 'running') await expect(select).toBeDisabled();

  // On the GPU no notice; without an adapter the run is on the CPU and says so.
  const backend = await controls.getAttribute('data-backend');
  expect(['webgpu', 'wasm']).toContain(backend);
  testInfo.annotations.push({ type: 'backend', description: String(backend) });
  console.log(`backend select: the run went on ${backend}`);
  if (backend === 'webgpu') await expect(notice).toHaveCount(0);
  else await expect(notice).toContainText('no WebGPU adapter');

  if (await editor.stopButton.isVisible()) {
    await editor.stopButton.click();
    await expect(editor.trainLine).toHaveAttribute('data-state', /^(stopped|completed)$/, { timeout: 30_000 });
  }

  await editor.page.reload();
  await expect(select).toHaveValue('webgpu');

  // In Japanese: the options, and (after a fallback) the notice, which the last run's status keeps.
  await editor.chooseLanguage('日本語');
  await expect(select.locator('option')).toHaveText(['CPU', 'WebGPU（GPU）']);
  if (backend === 'wasm') await expect(notice).toContainText('WebGPU アダプターが見つかりません');
});
