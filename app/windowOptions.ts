// The security-relevant settings of the editor window, kept apart from main.ts so a unit test
// can import and check them without Electron (only types come from 'electron' here). They follow
// Electron's security checklist: isolated, sandboxed, no Node in the page, a strict CSP, and no
// way to navigate away from the app.
import type { BrowserWindowConstructorOptions } from 'electron';
import { contentSecurityPolicy } from '../engine/protocol/webContent.js';

export const APP_SCHEME = 'app';
export const APP_HOST = 'netwright';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/**
 * Same policy as renderer/index.html's <meta>; sent as a header too, so it holds even for a
 * response that is not the HTML page (a header is also the only place `frame-ancestors` works).
 * No `connect-src` beyond 'self': the engine is reached through a MessagePort, not the network.
 */
export const CONTENT_SECURITY_POLICY = contentSecurityPolicy();

/** The locked-down web preferences every Netwright window gets. */
export function secureWebPreferences(preloadPath: string): NonNullable<BrowserWindowConstructorOptions['webPreferences']> {
  return {
    preload: preloadPath,
    // The preload's world is separate from the page's; the page sees only window.netwright.
    contextIsolation: true,
    // The renderer is an OS-sandboxed process; the preload gets only Electron's renderer modules.
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    // No remote content is ever loaded, so navigation-time plugins and spellcheck have no use.
    plugins: false,
    spellcheck: false,
    safeDialogs: true,
  };
}

export function mainWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1400,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    title: 'Netwright',
    show: false,
    webPreferences: secureWebPreferences(preloadPath),
  };
}

/**
 * Whether a URL belongs to the app (navigation and IPC senders are checked against it). Scheme
 * and host are compared, not `origin`: main runs Node's URL, for which a non-special scheme's
 * origin is the opaque "null" (only Chromium knows `app:` is registered as standard).
 */
export function isAppUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST && url.username === '' && url.password === '' && url.port === '';
  } catch {
    return false;
  }
}
