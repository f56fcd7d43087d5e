// Entry point of the engine process. Whoever starts it hands it connections: Electron's main
// process (a utilityProcess) posts one MessagePort per window on `process.parentPort`; a Node
// host (the web host, tests, the streaming benchmark) forks it with an IPC channel and relays
// binary frames per connection (engineIpc.ts). Either way one Engine serves them all.
//
// Options: --documents DIR (the writable root, default the home folder), --assets DIR (read-only
// examples), --threads N (wasm worker threads), --backend cpu|webgpu|reference. It exits when its parent goes away.

import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as v from 'valibot';
import { defaultThreads } from '../backends/wasm/index.js';
import { createBackend, isBackendChoice } from './backends.js';
import { FramedTransport, TransportBase } from '../protocol/index.js';
import { fromEngineSchema, toEngineSchema, type FromEngine } from './engineIpc.js';
import { Engine } from './engineServer.js';
import { PathPolicy } from './paths.js';

/** Run from engine/host/ (tests, tsx) or built to dist/engine/host/: the examples are <repo>/assets/examples. */
const REPO = existsSync(fileURLToPath(new URL('../../package.json', import.meta.url))) ? new URL('../../', import.meta.url) : new URL('../../../', import.meta.url);
const DEFAULT_ASSETS = fileURLToPath(new URL('assets/examples/', REPO));

/** Electron's MessagePortMain, as much as we use of it (the engine may not import Electron). */
interface MainPortLike {
  on(event: 'message', listener: (event: { readonly data: unknown }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  postMessage(message: unknown): void;
  start(): void;
  close(): void;
}

/** Electron's `process.parentPort` in a utility process. */
interface ParentPortLike {
  on(event: 'message', listener: (event: { readonly data: unknown; readonly ports: readonly MainPortLike[] }) => void): unknown;
  postMessage(message: unknown): void;
}

/**
 * A transport over Electron's MessagePortMain. It cannot transfer ArrayBuffers (only ports), so
 * tensors are structured-cloned: copied once, still as binary, never as JSON.
 */
class MainPortTransport extends TransportBase {
  constructor(private readonly port: MainPortLike) {
    super();
    port.on('message', (event) => this.received(event.data));
    port.on('close', () => this.closed_(1000, 'port closed'));
    port.start();
  }
  send(message: unknown): void {
    if (!this.closed) this.port.postMessage(message);
  }
  protected doClose(): void {
    this.port.close();
  }
}

function log(message: string): void {
  process.stderr.write(`[engine ${process.pid}] ${message}\n`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      documents: { type: 'string' },
      assets: { type: 'string' },
      threads: { type: 'string' },
      backend: { type: 'string' },
    },
    strict: false,
  });
  const threadsArg = typeof values.threads === 'string' ? Number(values.threads) : Number.NaN;
  const threads = Number.isInteger(threadsArg) && threadsArg >= 1 && threadsArg <= 64 ? threadsArg : defaultThreads();
  const documents = typeof values.documents === 'string' ? values.documents : homedir();
  const assets = typeof values.assets === 'string' ? values.assets : DEFAULT_ASSETS;
  const paths = await PathPolicy.create([
    { path: documents, label: 'Documents', writable: true },
    { path: assets, label: 'Examples', writable: false },
  ]);

  // --backend webgpu|cpu|reference (default cpu): where no WebGPU adapter exists the engine runs
  // on the CPU and logs the bilingual notice.
  const choice = typeof values.backend === 'string' && isBackendChoice(values.backend) ? values.backend : 'cpu';
  const engine = new Engine({
    backend: async () => {
      const selected = await createBackend(choice, { threads });
      if (selected.notice !== undefined) log(selected.notice.en);
      return selected;
    },
    // A train.start may name another backend (the app's backend select): made once per choice,
    // except the default's own, which is shared (with its notice, if it fell back).
    defaultChoice: choice === 'wasm' ? 'cpu' : choice,
    selectBackend: (other) => createBackend(other, { threads }),
    paths,
    info: { pid: process.pid, backend: choice === 'cpu' ? 'wasm' : choice, threads, node: process.version },
    log,
  });
  engine.prepare();

  const parentPort = (process as NodeJS.Process & { parentPort?: ParentPortLike }).parentPort;
  if (parentPort !== undefined) {
    // Electron utility process: each window's port arrives with a `connect` message.
    parentPort.on('message', (event) => {
      const port = event.ports[0];
      const data = event.data as { type?: unknown } | null;
      if (port !== undefined && data !== null && typeof data === 'object' && data.type === 'connect') engine.serve(new MainPortTransport(port));
    });
    parentPort.postMessage({ type: 'ready', pid: process.pid });
    return;
  }

  if (process.send === undefined) {
    log('the engine process is started by a host (Electron, the web host, or a test); run `npm start` instead.');
    process.exit(2);
  }

  // Forked by a Node host: connections are multiplexed over the IPC channel.
  const connections = new Map<number, FramedTransport>();
  const send = (message: FromEngine): void => {
    if (process.connected) process.send?.(message);
  };
  process.on('message', (raw: unknown) => {
    const parsed = v.safeParse(toEngineSchema, raw);
    if (!parsed.success) {
      log('dropped a malformed IPC message from the host');
      return;
    }
    const message = parsed.output;
    switch (message.type) {
      case 'open': {
        if (connections.has(message.conn)) return;
        const transport = new FramedTransport({
          sendBytes: (frame) => send({ type: 'frame', conn: message.conn, frame }),
          close: () => connections.delete(message.conn),
        });
        connections.set(message.conn, transport);
        engine.serve(transport);
        return;
      }
      case 'frame':
        connections.get(message.conn)?.receive(message.frame);
        return;
      case 'close':
        connections.get(message.conn)?.ended(1000, 'closed by the host');
        connections.delete(message.conn);
        return;
    }
  });
  // An orphaned engine would train on for no one: leave with the parent.
  process.on('disconnect', () => {
    void engine.dispose().finally(() => process.exit(0));
  });
  const ready: FromEngine = { type: 'ready', pid: process.pid };
  v.parse(fromEngineSchema, ready);
  send(ready);
}

main().catch((error: unknown) => {
  log(`could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
