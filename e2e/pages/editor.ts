// Page object for the editor shell: what a user can see and do, by stable test ids, so specs
// read as user steps and survive markup changes.
import { expect, type Locator, type Page } from '@playwright/test';

export class EditorPage {
  readonly canvas: Locator;
  /** React Flow's own root inside the canvas. */
  readonly flow: Locator;
  readonly nodes: Locator;
  readonly palette: Locator;
  readonly search: Locator;
  readonly paletteItems: Locator;
  readonly paletteGroups: Locator;
  readonly paletteHeadings: Locator;
  readonly paletteEmpty: Locator;
  readonly inspector: Locator;
  readonly langSwitch: Locator;
  readonly themeToggle: Locator;
  /** The engine's status light; `data-status` is connecting, connected, training, crashed, reconnected … */
  readonly engineStatus: Locator;
  readonly trainButton: Locator;
  readonly stopButton: Locator;
  readonly trainLine: Locator;

  constructor(
    readonly page: Page,
    readonly url: string,
  ) {
    this.canvas = page.getByTestId('canvas');
    this.flow = this.canvas.locator('.react-flow');
    this.nodes = this.flow.locator('.react-flow__node');
    this.palette = page.getByTestId('palette');
    this.search = page.getByTestId('palette-search');
    this.paletteItems = this.palette.locator('[data-testid^="palette-item-"]');
    this.paletteGroups = this.palette.locator('[data-testid^="palette-family-"]');
    this.paletteHeadings = this.paletteGroups.locator('h3');
    this.paletteEmpty = page.getByTestId('palette-empty');
    this.inspector = page.getByTestId('inspector');
    this.langSwitch = page.getByTestId('lang-switch');
    this.themeToggle = page.getByTestId('theme-toggle');
    this.engineStatus = page.getByTestId('engine-status');
    this.trainButton = page.getByTestId('train-run');
    this.stopButton = page.getByTestId('train-stop');
    this.trainLine = page.getByTestId('train-line');
  }

  async open(): Promise<void> {
    const response = await this.page.goto(this.url);
    expect(response?.status()).toBe(200);
    await expect(this.flow).toBeVisible();
  }

  paletteItem(type: string): Locator {
    return this.page.getByTestId(`palette-item-${type}`);
  }

  /** Node types in palette order, read from the items' test ids. */
  async paletteTypes(): Promise<string[]> {
    const ids = await this.paletteItems.evaluateAll((items) => items.map((item) => item.getAttribute('data-testid') ?? ''));
    return ids.map((id) => id.replace(/^palette-item-/, ''));
  }

  /** Families shown in the palette, from the groups' test ids. */
  async paletteFamilies(): Promise<string[]> {
    const ids = await this.paletteGroups.evaluateAll((groups) => groups.map((group) => group.getAttribute('data-testid') ?? ''));
    return ids.map((id) => id.replace(/^palette-family-/, ''));
  }

  async searchFor(query: string): Promise<void> {
    await this.search.fill(query);
  }

  async chooseLanguage(name: 'English' | '日本語'): Promise<void> {
    await this.langSwitch.getByRole('button', { name }).click();
  }

  /** Drags a palette item onto the canvas, `at` relative to the canvas's top-left corner. */
  async dragToCanvas(type: string, at: { x: number; y: number }): Promise<void> {
    const item = this.paletteItem(type);
    await item.scrollIntoViewIfNeeded();
    await item.dragTo(this.flow, { targetPosition: at });
  }

  node(type: string): Locator {
    return this.flow.getByTestId(`node-${type}`);
  }

  // The app's test API (renderer/src/testApi.ts). Functions given to page.evaluate run in the
  // page, so they reach it through `window` themselves.

  /** Loads a graph document into the editor, as opening a file would. */
  async loadDocument(document: unknown): Promise<void> {
    await this.page.evaluate((doc) => (window as unknown as TestWindow).__netwrightTest.loadDocument(doc), document);
  }

  /** The document on the canvas, as the editor holds it. */
  async getDocument(): Promise<unknown> {
    return this.page.evaluate(() => (window as unknown as TestWindow).__netwrightTest.getDocument());
  }

  async enginePid(): Promise<number | null> {
    return this.page.evaluate(() => (window as unknown as TestWindow).__netwrightTest.enginePid());
  }

  /**
   * Records every change of the engine status light with its wall-clock time, from now on, so
   * a spec can time the UI's reactions precisely (polling would add its own delay).
   */
  async recordEngineStatus(): Promise<void> {
    await this.page.evaluate(() => {
      const light = document.querySelector('[data-testid="engine-status"]');
      if (light === null) throw new Error('no engine status light');
      const log: { status: string; at: number }[] = [{ status: light.getAttribute('data-status') ?? '', at: Date.now() }];
      (window as unknown as { __statusLog: typeof log }).__statusLog = log;
      new MutationObserver(() => log.push({ status: light.getAttribute('data-status') ?? '', at: Date.now() })).observe(light, {
        attributes: true,
        attributeFilter: ['data-status'],
      });
    });
  }

  /** When (Date.now() in the page) the status light first showed `status`, if it has. */
  async statusShownAt(status: string): Promise<number | null> {
    return this.page.evaluate(
      (wanted) => (window as unknown as { __statusLog?: { status: string; at: number }[] }).__statusLog?.find((entry) => entry.status === wanted)?.at ?? null,
      status,
    );
  }
}

/** The test API's shape, restated: e2e imports no source (DESIGN.md §2). */
interface TestWindow {
  readonly __netwrightTest: {
    loadDocument(document: unknown): void;
    getDocument(): unknown;
    engineStatus(): string;
    enginePid(): number | null;
    trainingState(): string | null;
  };
}
