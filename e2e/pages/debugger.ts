// Page object for the backprop debugger: its toolbar, panel, op graph and the canvas's debug
// decorations, by stable test ids.
import { expect, type Locator, type Page } from '@playwright/test';

export class DebuggerPage {
  readonly start: Locator;
  readonly toolbar: Locator;
  readonly step: Locator;
  readonly stepBack: Locator;
  readonly continueButton: Locator;
  readonly stop: Locator;
  readonly status: Locator;
  readonly error: Locator;
  readonly panel: Locator;
  readonly opGraph: Locator;
  readonly edgeLabels: Locator;

  constructor(readonly page: Page) {
    this.start = page.getByTestId('debug-start');
    this.toolbar = page.getByTestId('debug-toolbar');
    this.step = page.getByTestId('debug-step');
    this.stepBack = page.getByTestId('debug-step-back');
    this.continueButton = page.getByTestId('debug-continue');
    this.stop = page.getByTestId('debug-stop');
    this.status = page.getByTestId('debug-status');
    this.error = page.getByTestId('debug-error');
    this.panel = page.getByTestId('debug-panel');
    this.opGraph = page.getByTestId('debug-opgraph');
    this.edgeLabels = page.getByTestId('debug-edge-label');
  }

  /** Opens a lesson from the template gallery. */
  async openLesson(id: string): Promise<void> {
    await this.page.getByTestId('gallery-open').click();
    await this.page.getByTestId(`gallery-open-${id}`).click();
    await expect(this.page.getByTestId('gallery')).toBeHidden();
  }

  /** Waits until no engine call is under way and none failed. */
  async idle(): Promise<void> {
    await expect(this.toolbar).toHaveAttribute('data-busy', 'false');
    await expect(this.error).toHaveCount(0);
  }

  async begin(): Promise<void> {
    await this.start.click();
    await expect(this.toolbar).toBeVisible();
    await this.idle();
    await expect(this.status).toContainText('loss');
  }

  async phase(): Promise<string | null> {
    return this.toolbar.getAttribute('data-phase');
  }

  /** The canvas node as the debugger marks it: 'forward', 'backward' or null (not reached). */
  node(id: string): Locator {
    return this.page.locator(`.react-flow__node[data-id="${id}"] .nw-node`);
  }

  edge(id: string): Locator {
    return this.page.locator(`[data-testid="debug-edge-label"][data-edge-id="${id}"]`);
  }

  /** A `data-values` attribute (JSON numbers) of the first element matching `locator`. */
  async values(locator: Locator): Promise<number[]> {
    return JSON.parse((await locator.first().getAttribute('data-values')) ?? 'null') as number[];
  }
}
