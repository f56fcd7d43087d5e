// File handling in the web host: Save as through the in-app chooser into the documents folder,
// reload, Open the file again — the graph comes back identical; and crash recovery: an edit
// left unsaved across a reload is offered back and restores the edited document.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from './fixtures';

const LESSON = JSON.parse(readFileSync(new URL('../assets/lessons/mnist-mlp.netwright.json', import.meta.url), 'utf8')) as unknown;

test('save as, reload and open gives the identical graph', async ({ editor, page, app }) => {
  await editor.loadDocument(LESSON);
  const before = await editor.getDocument();

  await page.getByTestId('file-menu').click();
  await page.getByTestId('file-save-as').click();
  const chooser = page.getByTestId('file-chooser');
  await expect(chooser).toBeVisible();
  await expect(page.getByTestId('file-chooser-dir')).toContainText(app.documents);
  await page.getByTestId('file-chooser-name').fill('roundtrip');
  await page.getByTestId('file-chooser-save').click();
  await expect(chooser).toBeHidden();
  await expect(page.getByTestId('file-notice')).toContainText('roundtrip.netwright.json');
  await expect(page.getByTestId('document-name')).toHaveText('roundtrip.netwright.json');
  await expect(page.getByTestId('dirty-indicator')).toHaveCount(0);
  expect(JSON.parse(readFileSync(join(app.documents, 'roundtrip.netwright.json'), 'utf8'))).toEqual(before);

  await page.reload();
  await expect(editor.flow).toBeVisible();
  await page.keyboard.press('Control+o');
  await expect(chooser).toBeVisible();
  await page.getByTestId('file-entry-roundtrip.netwright.json').click();
  await expect(chooser).toBeHidden();
  await expect(page.getByTestId('document-name')).toHaveText('roundtrip.netwright.json');
  expect(await editor.getDocument()).toEqual(before);

  // The file is in the recent list now.
  await page.getByTestId('file-menu').click();
  await expect(page.getByTestId('file-recent').first()).toHaveText('roundtrip.netwright.json');
  await page.keyboard.press('Escape');
});

test('a failed save keeps the document and says why', async ({ editor, page }) => {
  await editor.loadDocument(LESSON);
  const before = await editor.getDocument();
  await page.getByTestId('file-menu').click();
  await page.getByTestId('file-save-as').click();
  // A name with a folder that does not exist: the host refuses, the graph stays open.
  await page.getByTestId('file-chooser-name').fill('missing-folder/x');
  await page.getByTestId('file-chooser-save').click();
  await expect(page.getByTestId('file-notice')).toHaveAttribute('data-tone', 'error');
  expect(await editor.getDocument()).toEqual(before);
});

test('unsaved edits survive a reload through autosave recovery', async ({ editor, page }) => {
  await editor.loadDocument(LESSON);
  // A real edit through the UI: delete the selected first node.
  const first = editor.nodes.first();
  await first.click();
  await page.keyboard.press('Delete');
  await expect(page.getByTestId('dirty-indicator')).toBeVisible();
  await expect.poll(() => page.title()).toMatch(/^• /);
  const edited = await editor.getDocument();

  // Autosave is debounced by a second; pagehide flushes it on reload anyway.
  await page.waitForTimeout(1200);
  await page.reload();
  const banner = page.getByTestId('recovery-banner');
  await expect(banner).toBeVisible();
  await expect(banner).toContainText('Recover unsaved changes from');
  await page.getByTestId('recovery-recover').click();
  await expect(banner).toBeHidden();
  expect(await editor.getDocument()).toEqual(edited);
  await expect(page.getByTestId('dirty-indicator')).toBeVisible();

  // Discarding the offer after another reload leaves the recovered (still unsaved) graph alone.
  await page.reload();
  await expect(banner).toBeVisible();
  await page.getByTestId('recovery-discard').click();
  await expect(banner).toBeHidden();
});

test('New asks before discarding unsaved changes', async ({ editor, page }) => {
  await editor.loadDocument(LESSON);
  await editor.nodes.first().click();
  await page.keyboard.press('Delete');
  await page.getByTestId('file-menu').click();
  await page.getByTestId('file-new').click();
  const confirm = page.getByTestId('confirm-discard');
  await expect(confirm).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(confirm).toBeHidden();
  expect(((await editor.getDocument()) as { nodes: unknown[] }).nodes.length).toBeGreaterThan(0);

  await page.keyboard.press('Control+n');
  await page.getByTestId('confirm-discard-button').click();
  await expect.poll(async () => ((await editor.getDocument()) as { nodes: unknown[] }).nodes.length).toBe(0);
});
