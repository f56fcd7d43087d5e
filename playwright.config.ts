// End-to-end tests: Debian's Chromium (Playwright's own browser download needs a network we
// do not have, DESIGN.md §9) against the web host that `npm start` falls back to.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'e2e',
  // One web host is shared by all tests (e2e/fixtures.ts); one worker keeps it that way.
  workers: 1,
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  reporter: 'list',
  timeout: 30_000,
  expect: { timeout: 5_000 },
  use: {
    browserName: 'chromium',
    viewport: { width: 1400, height: 900 },
    // Pin the browser's language so the UI starts in English whatever the machine's locale.
    locale: 'en-US',
    colorScheme: 'light',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.NETWRIGHT_CHROMIUM ?? '/usr/bin/chromium',
      args: [
        // Root in a container: Chromium's own sandbox cannot start there.
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
});
