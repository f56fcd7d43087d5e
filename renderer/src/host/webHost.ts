// The host API for a plain browser talking to the web host (engine/host/webHost.ts). It knows
// only what the browser can tell; the engine channel over WebSocket joins it later.
import type { HostApi } from '../../../engine/protocol/host.js';

interface UADataLike {
  readonly platform?: string;
  readonly brands?: readonly { readonly brand: string; readonly version: string }[];
}

function platformGuess(): string {
  // navigator.userAgentData is Chromium-only and not in TypeScript's DOM lib yet.
  const uaData = (navigator as Navigator & { userAgentData?: UADataLike }).userAgentData;
  const raw = (uaData?.platform || navigator.platform || '').toLowerCase();
  if (raw.includes('mac')) return 'darwin';
  if (raw.includes('win')) return 'win32';
  if (raw.includes('linux') || raw.includes('x11')) return 'linux';
  return raw || 'unknown';
}

function browserVersions(): Record<string, string> {
  const uaData = (navigator as Navigator & { userAgentData?: UADataLike }).userAgentData;
  const brand = uaData?.brands?.find((b) => !/not.?a.?brand/i.test(b.brand));
  return brand ? { browser: `${brand.brand} ${brand.version}` } : { browser: navigator.userAgent };
}

export function createWebHost(): HostApi {
  return Object.freeze({
    kind: 'web',
    platform: platformGuess(),
    versions: Object.freeze(browserVersions()),
  });
}
