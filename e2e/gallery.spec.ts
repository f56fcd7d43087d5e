// The template gallery: every lesson it lists opens on the canvas without validation errors
// (checked through the engine's own validation of what the editor holds: the problems bar).
import { expect, test } from './fixtures';

test('every template in the gallery opens without validation errors', async ({ editor, page }) => {
  await page.getByTestId('gallery-open').click();
  const gallery = page.getByTestId('gallery');
  await expect(gallery).toBeVisible();
  const ids = (await gallery.locator('[data-testid^="gallery-item-"]').evaluateAll((items) => items.map((item) => item.getAttribute('data-testid') ?? ''))).map((id) =>
    id.replace(/^gallery-item-/, ''),
  );
  expect(ids.length).toBeGreaterThanOrEqual(16);
  for (const required of ['perceptron-and', 'xor-two-layer', 'mnist-mlp', 'optimizers-race', 'vanishing-sigmoid', 'overfitting', 'mnist-cnn', 'resnet-plain', 'resnet-shortcuts']) {
    expect(ids).toContain(required);
  }
  await page.keyboard.press('Escape');
  await expect(gallery).toBeHidden();

  for (const id of ids) {
    await page.getByTestId('gallery-open').click();
    await page.getByTestId(`gallery-open-${id}`).click();
    // A clean document opens without asking; templates are never dirty after opening.
    await expect(gallery).toBeHidden();
    await expect(page.getByTestId('confirm-discard')).toHaveCount(0);
    const doc = (await editor.getDocument()) as { name: string; nodes: unknown[] };
    expect(doc.nodes.length, id).toBeGreaterThan(0);
    await expect(editor.nodes).toHaveCount(doc.nodes.length);
    // The file session reports graph errors in its notice; none may appear for a lesson.
    await expect(page.locator('[data-testid="file-notice"][data-tone="error"]'), id).toHaveCount(0);
    await expect(page.locator('[data-testid="node-issue"][data-severity="error"]'), id).toHaveCount(0);
  }
});
