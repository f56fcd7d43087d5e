// In Japanese, no English may remain in the UI chrome: the top bar, the File menu, the
// palette, the inspector (with a node selected), the template gallery and the node help are
// scanned — every visible text and every aria-label/title/placeholder must contain Japanese,
// or be a proper noun, a symbol, a number, a shape, a formula or an identifier (node types,
// parameter names in <code>, keyboard shortcuts in <kbd>).
import { readFileSync } from 'node:fs';
import type { Locator } from '@playwright/test';
import { expect, test } from './fixtures';

const LESSON = JSON.parse(readFileSync(new URL('../assets/lessons/mnist-cnn.netwright.json', import.meta.url), 'utf8')) as unknown;

/** Proper nouns, product and dataset names, abbreviations a Japanese textbook writes in Latin letters. */
const PROPER_NOUNS = ['Netwright', 'English', 'MNIST', 'Fashion-MNIST', 'CIFAR-10', 'ReLU', 'ReLU6', 'GELU', 'ELU', 'SELU', 'Softmax', 'Softplus', 'Softsign', 'Maxout', 'Sigmoid', 'Tanh', 'Dense', 'Conv2D', 'Adam', 'SGD', 'RMSProp', 'AdaGrad', 'Momentum', 'LRN', 'GAP', 'MLP', 'CNN', 'ResNet', 'XOR', 'AND', 'OR', 'NAND', 'KaTeX', 'WebGPU', 'CPU', 'GPU', 'Ctrl', 'Shift', 'F1', 'MSE', 'L1', 'L2', 'Huber', 'Hinge', 'pid', 'Lp', 'Leaky',
  // Port names are identifiers the graph file uses (in, out, in0 …), shown beside shapes.
  'in', 'out', 'in0', 'in1', 'target'];
const JAPANESE = /[\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]/;
/** Numbers, shapes like [N,1,28,28], units, operators, arrows and punctuation. */
const SYMBOLS = /^[\s\d.,:;%×·\-−–—+±()[\]{}/*=<>~^→←↑↓≈•…°#|'"!?_NCHWTxekMG]*$/;

function untranslated(strings: readonly string[], extra: readonly string[]): string[] {
  const allowed = new Set([...PROPER_NOUNS, ...extra]);
  return strings.filter((raw) => {
    const text = raw.trim();
    if (text === '' || JAPANESE.test(text) || SYMBOLS.test(text)) return false;
    // A string made only of allowed words, symbols and numbers passes (e.g. "Conv2D 3×3").
    const words = text.split(/[\s,()[\]/:·×+=-]+/).filter((word) => word !== '' && !SYMBOLS.test(word));
    return !words.every((word) => allowed.has(word));
  });
}

/** Every visible string under `root`: text nodes (outside code, kbd and KaTeX) and labelling attributes. */
async function visibleStrings(root: Locator): Promise<string[]> {
  return root.evaluateAll((roots) => {
    const out: string[] = [];
    // translate="no" marks user data (a document's or file's name, a path), not UI text.
    const skip = (el: Element | null) => el?.closest('code, kbd, .katex, [aria-hidden="true"], svg, [translate="no"]') != null;
    const shown = (el: Element) => {
      const box = (el as HTMLElement).getBoundingClientRect();
      const style = getComputedStyle(el);
      return box.width > 0 && box.height > 0 && style.visibility !== 'hidden' && style.display !== 'none';
    };
    for (const rootEl of roots) {
      const walker = document.createTreeWalker(rootEl, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const parent = node.parentElement;
        if (!parent || skip(parent) || !shown(parent)) continue;
        out.push(node.textContent ?? '');
      }
      for (const el of [rootEl, ...rootEl.querySelectorAll('*')]) {
        if (skip(el)) continue;
        for (const attr of ['aria-label', 'title', 'placeholder']) {
          const value = el.getAttribute(attr);
          if (value) out.push(value);
        }
      }
    }
    return out;
  });
}

test('the Japanese UI has no untranslated English', async ({ editor, page }) => {
  await editor.loadDocument(LESSON);
  await editor.chooseLanguage('日本語');
  await expect(page.locator('html')).toHaveAttribute('lang', 'ja');
  // Node types (and their identifiers) are names, not prose: the palette's test ids list them.
  const types = await editor.paletteTypes();

  const problems: Record<string, string[]> = {};
  const scan = async (where: string, root: Locator) => {
    await expect(root.first()).toBeVisible();
    const found = untranslated(await visibleStrings(root), types);
    if (found.length > 0) problems[where] = found;
  };

  await scan('top bar', page.locator('header.nw-topbar'));
  await scan('palette', editor.palette);
  await editor.nodes.filter({ has: page.locator('[data-testid="node-Conv2D"]') }).first().click();
  await scan('inspector', editor.inspector);

  await page.getByTestId('file-menu').click();
  await scan('file menu', page.locator('#nw-file-menu'));
  await page.keyboard.press('Escape');

  await page.getByTestId('file-menu').click();
  await page.getByTestId('file-save-as').click();
  await scan('file chooser', page.getByTestId('file-chooser'));
  await page.keyboard.press('Escape');

  await page.getByTestId('gallery-open').click();
  await scan('gallery', page.getByTestId('gallery'));
  await page.screenshot({ path: test.info().outputPath('gallery-ja.png') });
  await page.keyboard.press('Escape');

  // F1 on the selected node opens its help.
  await editor.nodes.filter({ has: page.locator('[data-testid="node-Conv2D"]') }).first().click();
  await page.keyboard.press('F1');
  const help = page.getByTestId('node-help');
  await expect(help.locator('.katex').first()).toBeVisible();
  await scan('node help', help);
  await page.screenshot({ path: test.info().outputPath('help-ja.png') });
  await page.keyboard.press('Escape');
  await expect(help).toBeHidden();

  expect(problems).toEqual({});
});
