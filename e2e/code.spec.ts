// The code panel (issue #9): the MNIST MLP lesson shown as TypeScript in the bundled Monaco
// editor, copied to the clipboard, and no Content-Security-Policy complaint while Monaco and
// its worker load (both come from our own origin, never a CDN).
import { readFileSync } from 'node:fs';
import { expect, test } from './fixtures';

const LESSON = JSON.parse(readFileSync(new URL('../assets/lessons/mnist-mlp.netwright.json', import.meta.url), 'utf8')) as { nodes: { id: string }[] };
const NODE_IDS = LESSON.nodes.map((node) => node.id);

test('shows the graph as TypeScript, copies it, and stays within the CSP', async ({ editor, page, context, app }) => {
  const cspErrors: string[] = [];
  const workerProblems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) cspErrors.push(message.text());
    // Monaco says so when it cannot start its worker and falls back to the main thread.
    if (/web worker/i.test(message.text())) workerProblems.push(message.text());
  });
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { __cspViolations: string[] }).__cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (event) => seen.push(`${event.violatedDirective} ${event.blockedURI}`));
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.origin });

  await editor.loadDocument(LESSON);
  await expect(page.getByTestId('code-panel')).toHaveCount(0);
  await page.getByTestId('code-toggle').click();
  const panel = page.getByTestId('code-panel');
  await expect(panel).toBeVisible();
  await expect(page.getByTestId('code-toggle')).toHaveAttribute('aria-pressed', 'true');

  // Monaco renders the exported code (lines are virtualised; the lesson's code fits the panel).
  const lines = panel.locator('.monaco-editor .view-lines');
  await expect(lines).toContainText('createGraph', { timeout: 15_000 });
  for (const id of NODE_IDS) await expect(lines, id).toContainText(`id: "${id}"`);
  await expect(panel).toHaveAttribute('data-ready', 'true');
  await expect(page.getByTestId('code-file')).toHaveText(/\.ts$/);
  // Read-only: typing changes nothing.
  await panel.locator('.monaco-editor textarea').focus();
  await page.keyboard.type('zzz');
  await expect(lines).not.toContainText('zzz');

  await page.getByTestId('code-copy').click();
  await expect(page.getByTestId('code-copy')).toHaveText('Copied');
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toContain('createGraph');
  for (const id of NODE_IDS) expect(copied, id).toContain(`id: "${id}"`);

  // Download hands the same text to the browser as a .ts file.
  const downloading = page.waitForEvent('download');
  await page.getByTestId('code-download').click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/\.ts$/);
  expect(readFileSync(await download.path(), 'utf8')).toBe(copied);

  // The theme follows the app's.
  await expect(panel.locator('.monaco-editor')).toHaveClass(/\bvs\b/);
  await page.getByTestId('theme-toggle').click();
  await expect(panel.locator('.monaco-editor')).toHaveClass(/vs-dark/);

  await page.getByTestId('code-close').click();
  await expect(panel).toHaveCount(0);

  expect(cspErrors).toEqual([]);
  expect(workerProblems).toEqual([]);
  expect(await page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations)).toEqual([]);
});
