// The web host's half of the host API (engine/protocol/host.ts) for a browser: files under the
// allowed folders (PathPolicy), atomic saves, the recent-files list, and the engine's lifecycle.
// Served over the `/host` WebSocket as a channel of the `netwright.host` protocol; Electron's
// main process answers the same API itself (app/files.ts).

import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import {
  ChannelError,
  ChannelServer,
  MAX_TEXT_FILE_BYTES,
  HOST,
  type Disposable,
  type EngineLifecycle,
  type HostProtocol,
  type Transport,
} from '../protocol/index.js';
import { writeFileAtomic } from '../core/atomicWrite.js';
import { DATA_FILES, GRAPH_FILES, WEIGHT_FILES, type PathPolicy } from './paths.js';

const MAX_RECENT = 12;
const LISTED = [...GRAPH_FILES, ...WEIGHT_FILES, ...DATA_FILES];

/** Where the web host keeps its small state: $XDG_CONFIG_HOME/netwright (or ~/.config/netwright). */
export function defaultConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env['XDG_CONFIG_HOME'] || join(homedir(), '.config');
  return join(base, 'netwright');
}

function ioError(error: unknown, what: string): ChannelError {
  if (error instanceof ChannelError) return error;
  const code = (error as { code?: string }).code;
  const why = code === 'ENOENT' ? 'not found' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ENOSPC' ? 'the disk is full' : error instanceof Error ? error.message : String(error);
  return new ChannelError('IO', `${what}: ${why}`);
}

export interface HostServiceOptions {
  readonly paths: PathPolicy;
  /** Folder of recent.json; defaultConfigDir() unless given (tests use a temporary one). */
  readonly configDir?: string;
  /** The engine's lifecycle now, and changes to it. */
  readonly lifecycle: () => EngineLifecycle;
  readonly onLifecycle: (listener: (event: EngineLifecycle) => void) => Disposable;
}

export class HostService {
  private readonly recentFile: string;

  constructor(private readonly options: HostServiceOptions) {
    this.recentFile = join(options.configDir ?? defaultConfigDir(), 'recent.json');
  }

  /** Serves one browser connection. */
  serve(transport: Transport): ChannelServer<HostProtocol> {
    const { paths } = this.options;
    return new ChannelServer(transport, HOST, {
      info: () => ({ pid: process.pid }),
      methods: {
        'files.roots': () => ({ roots: paths.roots.map(({ label, path, writable }) => ({ label, path, writable })) }),
        'files.list': async ({ dir }) => {
          const real = await paths.resolveRead(dir, 'directory');
          try {
            const entries = await readdir(real, { withFileTypes: true });
            const out = [];
            for (const entry of entries) {
              if (entry.name.startsWith('.')) continue;
              const isDir = entry.isDirectory();
              if (!isDir && !(entry.isFile() && LISTED.some((ext) => entry.name.toLowerCase().endsWith(ext)))) continue;
              const info = await stat(join(real, entry.name)).catch(() => null);
              if (info === null) continue;
              out.push({ name: entry.name, path: join(real, entry.name), kind: isDir ? ('directory' as const) : ('file' as const), size: isDir ? 0 : info.size, modified: info.mtimeMs });
            }
            out.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'directory' ? -1 : 1));
            return { dir: real, entries: out };
          } catch (error) {
            throw ioError(error, `cannot list ${dir}`);
          }
        },
        'files.read': async ({ path }) => {
          const real = await paths.resolveRead(path, GRAPH_FILES);
          try {
            const info = await stat(real);
            if (!info.isFile()) throw new ChannelError('IO', `${path} is not a file`);
            if (info.size > MAX_TEXT_FILE_BYTES) throw new ChannelError('IO', `${path} is larger than ${MAX_TEXT_FILE_BYTES} bytes`);
            return { path: real, name: basename(real), contents: await readFile(real, 'utf8') };
          } catch (error) {
            throw ioError(error, `cannot read ${path}`);
          }
        },
        'files.write': async ({ path, contents }) => {
          const target = await paths.resolveWrite(path, GRAPH_FILES);
          try {
            await writeFileAtomic(target, contents);
          } catch (error) {
            throw ioError(error, `cannot save ${path}`);
          }
          return { path: target };
        },
        'recent.list': async () => ({ paths: await this.readRecent() }),
        'recent.add': async ({ path }) => {
          // Only files the caller may read join the list: it must not become a way to probe paths.
          const real = await paths.resolveRead(path, GRAPH_FILES);
          const list = [real, ...(await this.readRecent()).filter((p) => p !== real)].slice(0, MAX_RECENT);
          await this.writeRecent(list);
          return { paths: list };
        },
        'recent.clear': async () => {
          await this.writeRecent([]);
          return { paths: [] };
        },
        'engine.lifecycle': () => this.options.lifecycle(),
      },
      events: {
        engine: (_args, sink) => {
          sink.push(this.options.lifecycle());
          return this.options.onLifecycle((event) => sink.push(event));
        },
      },
    });
  }

  private async readRecent(): Promise<string[]> {
    try {
      const parsed: unknown = JSON.parse(await readFile(this.recentFile, 'utf8'));
      return Array.isArray(parsed) ? parsed.filter((p): p is string => typeof p === 'string').slice(0, MAX_RECENT) : [];
    } catch {
      return []; // missing or damaged: start a fresh list
    }
  }

  private async writeRecent(list: readonly string[]): Promise<void> {
    try {
      await mkdir(dirname(this.recentFile), { recursive: true });
      await writeFileAtomic(this.recentFile, `${JSON.stringify(list, null, 2)}\n`);
    } catch (error) {
      throw ioError(error, 'cannot update the recent files');
    }
  }
}
