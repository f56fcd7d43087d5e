// Page object for the training dock (issue #7): the training panel's settings and buttons, and
// the live panels, by stable test ids.
import { expect, type Locator, type Page } from '@playwright/test';

export class TrainPage {
  readonly toggle: Locator;
  readonly panel: Locator;
  readonly run: Locator;
  readonly pause: Locator;
  readonly resume: Locator;
  readonly stop: Locator;
  readonly state: Locator;
  readonly progress: Locator;
  readonly lossCurve: Locator;
  readonly accuracyCurve: Locator;
  readonly validationAccuracy: Locator;
  readonly legendRuns: Locator;
  readonly histStep: Locator;
  readonly histRows: Locator;
  readonly filterGrid: Locator;
  readonly featureMaps: Locator;
  readonly confusionCells: Locator;
  readonly confusionSummary: Locator;
  readonly confusionSamples: Locator;
  readonly tryPad: Locator;
  readonly tryPrediction: Locator;
  readonly tryClear: Locator;

  constructor(readonly page: Page) {
    this.toggle = page.getByTestId('panels-toggle');
    this.panel = page.getByTestId('training-panel');
    this.run = page.getByTestId('train-panel-run');
    this.pause = page.getByTestId('train-panel-pause');
    this.resume = page.getByTestId('train-panel-resume');
    this.stop = page.getByTestId('train-panel-stop');
    this.state = page.getByTestId('train-panel-state');
    this.progress = page.getByTestId('train-panel-progress');
    this.lossCurve = page.getByTestId('curve-loss');
    this.accuracyCurve = page.getByTestId('curve-accuracy');
    this.validationAccuracy = page.getByTestId('validation-accuracy');
    this.legendRuns = page.getByTestId('legend-run');
    this.histStep = page.getByTestId('hist-step');
    this.histRows = page.getByTestId('hist-row');
    this.filterGrid = page.getByTestId('filter-grid');
    this.featureMaps = page.getByTestId('featuremap-grid');
    this.confusionCells = page.getByTestId('confusion-cell');
    this.confusionSummary = page.getByTestId('confusion-summary');
    this.confusionSamples = page.getByTestId('confusion-sample');
    this.tryPad = page.getByTestId('tryit-pad');
    this.tryPrediction = page.getByTestId('tryit-prediction');
    this.tryClear = page.getByTestId('tryit-clear');
  }

  /** Opens a lesson from the gallery, as a user does. */
  async openLesson(id: string): Promise<void> {
    await this.page.getByTestId('gallery-open').click();
    await this.page.getByTestId(`gallery-open-${id}`).click();
    await expect(this.page.getByTestId('gallery-open-' + id)).toBeHidden();
  }

  async openDock(): Promise<void> {
    if ((await this.toggle.getAttribute('aria-expanded')) !== 'true') await this.toggle.click();
    await expect(this.panel).toBeVisible();
  }

  field(name: string): Locator {
    return this.page.getByTestId(`train-field-${name}`);
  }

  async setNumber(name: string, value: number): Promise<void> {
    await this.field(name).fill(String(value));
  }

  /** A numeric data attribute of a locator (NaN when absent). */
  async numberOf(locator: Locator, attribute: string): Promise<number> {
    return Number(await locator.getAttribute(attribute));
  }

  async waitForState(state: string, timeout = 120_000): Promise<void> {
    await expect(this.state).toHaveAttribute('data-state', state, { timeout });
  }

  /** Draws a polyline on the try-it pad, points in [0, 1] of its size. */
  async draw(points: readonly (readonly [number, number])[]): Promise<void> {
    await this.tryPad.scrollIntoViewIfNeeded();
    const box = await this.tryPad.boundingBox();
    if (box === null) throw new Error('the try-it pad is not visible');
    const at = ([x, y]: readonly [number, number]) => [box.x + x * box.width, box.y + y * box.height] as const;
    const [first, ...rest] = points;
    if (first === undefined) return;
    await this.page.mouse.move(...at(first));
    await this.page.mouse.down();
    for (const p of rest) await this.page.mouse.move(...at(p), { steps: 4 });
    await this.page.mouse.up();
  }
}
