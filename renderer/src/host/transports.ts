// Browser ends of the channel's transports: a WebSocket carrying binary frames (web host) and
// the MessagePort Electron's preload posts into the page (contextBridge cannot carry ports, so
// it arrives as a window message, DESIGN.md §1). The channel itself is engine/protocol's.
import {
  ENGINE_PORT_MESSAGE,
  FramedTransport,
  MessagePortTransport,
  type EngineEndpoint,
  type Transport,
} from '../../../engine/protocol/index.js';

/** ws://host/path on this page's origin; the token rides along when the page URL has it (cookies may be off). */
export function socketUrl(path: string): string {
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  const token = new URLSearchParams(window.location.search).get('token');
  return `${scheme}//${window.location.host}${path}${token ? `?token=${encodeURIComponent(token)}` : ''}`;
}

/** Opens a WebSocket and resolves with a transport once it is open (rejects if it never opens). */
export function openSocket(url: string): Promise<Transport> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    let open = false;
    const transport = new FramedTransport({
      sendBytes: (bytes) => ws.send(bytes),
      close: (code, reason) => ws.close(code, reason),
    });
    ws.onmessage = (event: MessageEvent<ArrayBuffer | string>) => {
      if (typeof event.data === 'string') transport.receiveText();
      else transport.receive(event.data);
    };
    ws.onopen = () => {
      open = true;
      resolve(transport);
    };
    ws.onclose = (event) => {
      if (!open) reject(new Error(`the connection to ${new URL(url).pathname} was refused (${event.code})`));
      transport.ended(event.code, event.reason);
    };
  });
}

/**
 * Collects engine ports posted into this window (by app/preload.ts) from now on, so a port that
 * arrives before `connect()` has even returned its nonce is not lost.
 */
export function collectPorts(): { take(nonce: string, timeoutMs: number): Promise<MessagePort>; stop(): void } {
  const ports = new Map<string, MessagePort>();
  const waiting = new Map<string, (port: MessagePort) => void>();
  const onMessage = (event: MessageEvent<unknown>) => {
    // Only our own preload posts this, to our own window and origin.
    if (event.source !== window || event.origin !== window.location.origin) return;
    const data = event.data as { type?: unknown; nonce?: unknown } | null;
    const port = event.ports[0];
    if (data === null || typeof data !== 'object' || data.type !== ENGINE_PORT_MESSAGE || typeof data.nonce !== 'string' || port === undefined) return;
    const waiter = waiting.get(data.nonce);
    if (waiter !== undefined) waiter(port);
    else ports.set(data.nonce, port);
  };
  window.addEventListener('message', onMessage);
  return {
    take: (nonce, timeoutMs) =>
      new Promise((resolve, reject) => {
        const ready = ports.get(nonce);
        if (ready !== undefined) {
          ports.delete(nonce);
          resolve(ready);
          return;
        }
        const timer = setTimeout(() => {
          waiting.delete(nonce);
          reject(new Error('the engine port did not arrive'));
        }, timeoutMs);
        waiting.set(nonce, (port) => {
          clearTimeout(timer);
          waiting.delete(nonce);
          resolve(port);
        });
      }),
    stop: () => window.removeEventListener('message', onMessage),
  };
}

/** Opens a transport to the engine endpoint the host gave. */
export async function openEndpoint(endpoint: EngineEndpoint, ports: ReturnType<typeof collectPorts>): Promise<Transport> {
  if (endpoint.kind === 'websocket') return openSocket(endpoint.url);
  return new MessagePortTransport(await ports.take(endpoint.nonce, 5000));
}
