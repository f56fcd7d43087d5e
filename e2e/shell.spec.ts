// The editor shell as a user meets it after `npm start` on a machine without Electron: the
// printed URL, the canvas, the palette (search, language, drag onto the canvas), and a server
// that refuses anyone without the token.
import { expect, test } from './fixtures';

// Headings the user should read in each language, in palette order.
const FAMILY_HEADINGS = {
  input: { en: 'Input', ja: '入力' },
  dense: { en: 'Dense', ja: '全結合' },
  activation: { en: 'Activation', ja: '活性化関数' },
  convolution: { en: 'Convolution', ja: '畳み込み' },
  regularization: { en: 'Regularization', ja: '正則化' },
  structure: { en: 'Structure', ja: '構造' },
  loss: { en: 'Loss', ja: '損失関数' },
} as const;
type FamilyName = keyof typeof FAMILY_HEADINGS;

test('prints a loopback URL with a per-launch token', ({ app }) => {
  expect(app.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/);
  expect(app.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
});

test('refuses the same URL without the token', async ({ page, app, request }) => {
  const response = await page.goto(`${app.origin}/`);
  expect(response?.status()).toBe(403);
  await expect(page.locator('body')).toContainText('token');
  await expect(page.getByTestId('canvas')).toHaveCount(0);

  const wrong = await request.get(`${app.origin}/?token=${'x'.repeat(app.token.length)}`);
  expect(wrong.status()).toBe(403);
});

test('shows an empty canvas with background, controls and minimap', async ({ editor }) => {
  await expect(editor.canvas).toBeVisible();
  await expect(editor.flow).toBeVisible();
  await expect(editor.nodes).toHaveCount(0);
  await expect(editor.flow.locator('.react-flow__background')).toBeVisible();
  await expect(editor.flow.locator('.react-flow__controls')).toBeVisible();
  await expect(editor.flow.locator('.react-flow__minimap')).toBeVisible();
  await expect(editor.inspector).toContainText('Select a node to edit its parameters');
});

test('lists catalog nodes grouped by family, every family with items', async ({ editor }) => {
  const families = await editor.paletteFamilies();
  expect(families, 'families in palette order').toEqual(Object.keys(FAMILY_HEADINGS));
  for (const family of families) {
    const group = editor.page.getByTestId(`palette-family-${family}`);
    await expect(group.locator('h3')).toContainText(FAMILY_HEADINGS[family as FamilyName].en);
    expect(await group.locator('[data-testid^="palette-item-"]').count(), family).toBeGreaterThan(0);
  }
  const types = await editor.paletteTypes();
  expect(new Set(types).size, 'node types are unique').toBe(types.length);
});

test('search filters the palette by type and by either language', async ({ editor }) => {
  const all = await editor.paletteTypes();
  expect(all.length).toBeGreaterThan(1);
  const target = all.find((type) => /conv/i.test(type)) ?? all[all.length - 1] ?? '';

  await editor.searchFor(target.toLowerCase());
  await expect(editor.paletteItem(target)).toBeVisible();
  const filtered = await editor.paletteTypes();
  expect(filtered.length).toBeLessThan(all.length);
  expect(filtered).toContain(target);

  // The Japanese label finds the node while the UI is in English.
  await editor.searchFor('');
  await editor.chooseLanguage('日本語');
  const japaneseLabel = (await editor.paletteItem(target).locator('.nw-palette__item-label').textContent()) ?? '';
  await editor.chooseLanguage('English');
  await editor.searchFor(japaneseLabel);
  await expect(editor.paletteItem(target)).toBeVisible();

  await editor.searchFor('no such node zzz');
  await expect(editor.paletteItems).toHaveCount(0);
  await expect(editor.paletteEmpty).toBeVisible();

  await editor.search.press('Escape');
  await expect(editor.paletteItems).toHaveCount(all.length);
});

test('the language switch turns the UI Japanese and back', async ({ editor, page }) => {
  const english = Object.values(FAMILY_HEADINGS).map((name) => name.en);
  const japanese = Object.values(FAMILY_HEADINGS).map((name) => name.ja);
  await expect(editor.paletteHeadings).toContainText(english);

  await editor.chooseLanguage('日本語');
  await expect(editor.paletteHeadings).toContainText(japanese);
  await expect(page.locator('html')).toHaveAttribute('lang', 'ja');
  await expect(editor.inspector).toContainText('ノードを選択するとパラメータを編集できます');
  await expect(editor.search).toHaveAttribute('placeholder', 'ノードを検索…');

  await editor.chooseLanguage('English');
  await expect(editor.paletteHeadings).toContainText(english);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
});

test('dragging a palette item onto the canvas creates a node there', async ({ editor }) => {
  const [type] = await editor.paletteTypes();
  expect(type).toBeTruthy();
  const drop = { x: 400, y: 260 };
  await editor.dragToCanvas(type ?? '', drop);

  await expect(editor.nodes).toHaveCount(1);
  const node = editor.node(type ?? '');
  await expect(node).toBeVisible();

  // The node lands where it was dropped (it is centred on the cursor horizontally).
  const canvasBox = await editor.canvas.boundingBox();
  const nodeBox = await node.boundingBox();
  expect(canvasBox && nodeBox).toBeTruthy();
  if (canvasBox && nodeBox) {
    const dropX = canvasBox.x + drop.x;
    const dropY = canvasBox.y + drop.y;
    expect(dropX).toBeGreaterThanOrEqual(nodeBox.x);
    expect(dropX).toBeLessThanOrEqual(nodeBox.x + nodeBox.width);
    expect(Math.abs(nodeBox.y - dropY)).toBeLessThan(40);
  }

  // A freshly dropped node is selected, so the inspector shows it.
  await expect(editor.inspector.getByTestId('inspector-node')).toContainText(type ?? '');
});

test('Enter on a palette item adds it from the keyboard', async ({ editor }) => {
  const types = await editor.paletteTypes();
  const type = types[1] ?? types[0] ?? '';
  await editor.paletteItem(type).focus();
  await editor.page.keyboard.press('Enter');
  await expect(editor.nodes).toHaveCount(1);
  await expect(editor.node(type)).toBeVisible();
});

test('the theme toggle switches between light and dark', async ({ editor, page }) => {
  const html = page.locator('html');
  await expect(html).toHaveAttribute('data-theme', 'light');
  await editor.themeToggle.click();
  await expect(html).toHaveAttribute('data-theme', 'dark');
  await expect(editor.flow).toHaveClass(/\bdark\b/);
  await editor.themeToggle.click();
  await expect(html).toHaveAttribute('data-theme', 'light');
});
