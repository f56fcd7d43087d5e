// The editor window's security settings, checked without Electron: the options main.ts passes to
// every BrowserWindow (isolation, sandbox, no Node in the page), the CSP and the URL guard.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { APP_ORIGIN, CONTENT_SECURITY_POLICY, isAppUrl, mainWindowOptions, secureWebPreferences } from './windowOptions.js';

describe('BrowserWindow options', () => {
  const options = mainWindowOptions('/app/out/preload/preload.cjs');
  const prefs = options.webPreferences!;

  it('isolates and sandboxes the renderer, with no Node integration anywhere', () => {
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.sandbox).toBe(true);
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.nodeIntegrationInWorker).toBe(false);
    expect(prefs.nodeIntegrationInSubFrames).toBe(false);
  });

  it('keeps web security on and the risky features off', () => {
    expect(prefs.webSecurity).toBe(true);
    expect(prefs.allowRunningInsecureContent).toBe(false);
    expect(prefs.webviewTag).toBe(false);
    expect(prefs.plugins).toBe(false);
  });

  it('loads the given preload and starts hidden until ready to show', () => {
    expect(prefs.preload).toBe('/app/out/preload/preload.cjs');
    expect(options.show).toBe(false);
    expect(secureWebPreferences('/x')).toEqual({ ...prefs, preload: '/x' });
  });

  it('is what main.ts passes to every BrowserWindow it creates', () => {
    const main = readFileSync(new URL('./main.ts', import.meta.url), 'utf8');
    const created = main.split('new BrowserWindow(').length - 1;
    const secured = main.split('new BrowserWindow(mainWindowOptions(preloadPath))').length - 1;
    expect(created).toBeGreaterThan(0);
    expect(secured).toBe(created);
    // Sandboxing every renderer, including any a future window forgets to configure.
    expect(main).toContain('app.enableSandbox()');
  });
});

describe('content security policy', () => {
  const directives = new Map(CONTENT_SECURITY_POLICY.split(';').map((part) => {
    const [name = '', ...values] = part.trim().split(/\s+/);
    return [name, values] as const;
  }));

  it('allows scripts from the app only, never inline or eval', () => {
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval/);
    expect(directives.get('default-src')).toEqual(["'self'"]);
  });

  it('reaches no network, embeds nothing and cannot be framed', () => {
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
  });
});

describe('isAppUrl', () => {
  it('accepts the app origin only', () => {
    expect(isAppUrl(`${APP_ORIGIN}/index.html`)).toBe(true);
    expect(isAppUrl('app://netwright/assets/x.js?y#z')).toBe(true);
    for (const url of ['https://example.com/', 'app://evil/index.html', 'app://netwright.evil/x', 'app://user@netwright/x', 'app://netwright:81/x', 'file:///etc/passwd', 'http://127.0.0.1:1234/', 'javascript:alert(1)', 'not a url', '']) {
      expect(isAppUrl(url), url).toBe(false);
    }
  });
});
