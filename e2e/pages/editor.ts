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

  // ── Graph editing (issue #6) ───────────────────────────────────────────────────────────────

  /** A canvas node by its document id (React Flow's wrapper, which carries selection). */
  nodeById(id: string): Locator {
    return this.flow.locator(`.react-flow__node[data-id="${id}"]`);
  }

  /** A port's handle: `source` for outputs, `target` for inputs. */
  handle(nodeId: string, port: string, kind: 'source' | 'target'): Locator {
    return this.flow.locator(`.react-flow__handle.${kind}[data-nodeid="${nodeId}"][data-handleid="${port}"]`);
  }

  get edgeLabels(): Locator {
    return this.flow.locator('.react-flow__edge-text');
  }

  get edges(): Locator {
    return this.flow.locator('.react-flow__edge');
  }

  param(name: string): Locator {
    return this.inspector.getByTestId(`param-${name}`);
  }

  get connectionReason(): Locator {
    return this.canvas.getByTestId('connection-reason');
  }

  toolbar(name: 'undo' | 'redo' | 'layout' | 'fit' | 'group'): Locator {
    return this.canvas.getByTestId(`toolbar-${name}`);
  }

  /** Drags a palette item onto the canvas and returns the new node's id (the newest in the document). */
  async dropNode(type: string, at: { x: number; y: number }): Promise<string> {
    const before = (await this.documentNodes()).length;
    await this.dragToCanvas(type, at);
    await expect.poll(async () => (await this.documentNodes()).length).toBe(before + 1);
    return (await this.documentNodes()).at(-1)!.id;
  }

  /** Sets a number param in the inspector for the selected node (commits with Enter: one undo step). */
  async setNumber(name: string, value: number): Promise<void> {
    await this.param(name).fill(String(value));
    await this.param(name).press('Enter');
  }

  /** Sets an `ints` param (a shape) field by field, adding or removing dimensions as needed. */
  async setInts(name: string, values: readonly number[]): Promise<void> {
    const fields = () => this.inspector.locator(`[data-testid^="param-${name}-"][type="number"]`);
    while ((await fields().count()) > values.length) await this.param(`${name}-remove`).click();
    for (let i = 0; i < values.length; i++) {
      if ((await fields().count()) <= i) await this.param(`${name}-add`).click();
      await this.setNumber(`${name}-${i}`, values[i]!);
    }
  }

  /** Selects a node by clicking its header. */
  async select(id: string, options: { add?: boolean } = {}): Promise<void> {
    await this.nodeById(id).locator('.nw-node__header').click(options.add ? { modifiers: ['ControlOrMeta'] } : {});
  }

  /** Clicks empty canvas: clears the selection and moves focus off any field, so shortcuts apply. */
  async clickEmptyCanvas(): Promise<void> {
    const box = (await this.flow.boundingBox())!;
    await this.page.mouse.click(box.x + box.width - 260, box.y + 40);
  }

  /** Starts dragging a connection from an output port and holds it over an input port (mouse still down). */
  async dragConnectionOver(from: { node: string; port: string }, to: { node: string; port: string }): Promise<void> {
    const start = await this.centre(this.handle(from.node, from.port, 'source'));
    const end = await this.centre(this.handle(to.node, to.port, 'target'));
    await this.page.mouse.move(start.x, start.y);
    await this.page.mouse.down();
    await this.page.mouse.move((start.x + end.x) / 2, (start.y + end.y) / 2, { steps: 5 });
    await this.page.mouse.move(end.x, end.y, { steps: 5 });
  }

  /** Connects an output port to an input port with the mouse. */
  async connect(from: { node: string; port: string }, to: { node: string; port: string }): Promise<void> {
    await this.dragConnectionOver(from, to);
    await this.page.mouse.up();
  }

  private async centre(locator: Locator): Promise<{ x: number; y: number }> {
    const box = await locator.boundingBox();
    if (!box) throw new Error('element not visible');
    return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  }

  async documentNodes(): Promise<{ id: string; type: string }[]> {
    return this.page.evaluate(() => (window as unknown as TestWindow).__netwrightTest.getDocument()?.nodes ?? []);
  }

  async documentCounts(): Promise<{ nodes: number; edges: number; groups: number }> {
    return this.page.evaluate(() => {
      const doc = (window as unknown as TestWindow).__netwrightTest.getDocument();
      return { nodes: doc?.nodes.length ?? 0, edges: doc?.edges.length ?? 0, groups: doc?.groups.length ?? 0 };
    });
  }

  async selection(): Promise<string[]> {
    return this.page.evaluate(() => (window as unknown as TestWindow).__netwrightTest.getSelection());
  }

  // The app's test API (renderer/src/testApi.ts). Functions given to page.evaluate run in the
  // page, so they reach it through `window` themselves.

  /** Loads a graph document into the editor, as opening a file would. */
  async loadDocument(document: unknown): Promise<void> {
    await this.page.evaluate((doc) => (window as unknown as TestWindow).__netwrightTest.loadDocument(doc), document);
    // The editor fits the view on the frame after a load: let it, so positions read next are final.
    await this.page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))));
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
    getDocument(): { nodes: { id: string; type: string }[]; edges: unknown[]; groups: unknown[] } | null;
    getSelection(): string[];
    engineStatus(): string;
    enginePid(): number | null;
    trainingState(): string | null;
  };
}
