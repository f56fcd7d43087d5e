// The Electron half of the host API's files (engine/protocol/host.ts): the OS's open and save
// dialogs, reads, atomic saves (temp file + rename), and the recent-files list. The renderer
// names paths, so each one is checked: a file the user picked in a dialog this session, or a
// Netwright file under the home folder (no hidden files) or the bundled examples (read-only).
// (The web host enforces the same rules in engine/host/paths.ts; app/ may not import it.)
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { dialog, type BrowserWindow } from 'electron';
import type { DialogOptions, FileEntry, FileRoot, OpenedFile } from '../engine/protocol/host.js';
import { MAX_TEXT_FILE_BYTES } from '../engine/protocol/messages.js';

const GRAPH_EXTENSIONS = ['.netwright.json', '.json'];
const LISTED = [...GRAPH_EXTENSIONS, '.safetensors', '.csv'];
const MAX_RECENT = 12;

/** A refusal the renderer can show; main turns it into a rejected invoke. */
export class FileAccessError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FileAccessError';
  }
}

function inside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

function hasGraphExtension(path: string): boolean {
  const name = basename(path).toLowerCase();
  return GRAPH_EXTENSIONS.some((ext) => name.endsWith(ext) && name.length > ext.length);
}

/** Writes via a temporary file in the same folder, flushed, then renamed: never half a file. */
export async function writeFileAtomically(path: string, contents: string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, contents, { flush: true, mode: 0o644 });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

export interface FileServiceOptions {
  readonly home: string;
  /** Bundled example graphs (read-only). */
  readonly examples: string;
  /** Folder of recent.json (Electron's userData). */
  readonly stateDir: string;
}

export class FileService {
  /** Paths the user chose in a dialog this session: allowed wherever they are. */
  private readonly granted = new Set<string>();
  private readonly recentFile: string;

  constructor(private readonly options: FileServiceOptions) {
    this.recentFile = join(options.stateDir, 'recent.json');
  }

  roots(): FileRoot[] {
    return [
      { label: 'Home', path: this.options.home, writable: true },
      { label: 'Examples', path: this.options.examples, writable: false },
    ];
  }

  async showOpen(window: BrowserWindow | null, options: DialogOptions = {}): Promise<string | null> {
    const dialogOptions = {
      title: options.title ?? 'Open graph',
      properties: ['openFile' as const],
      filters: [{ name: 'Netwright graph', extensions: ['json'] }],
    };
    const result = window !== null ? await dialog.showOpenDialog(window, dialogOptions) : await dialog.showOpenDialog(dialogOptions);
    const chosen = result.canceled ? undefined : result.filePaths[0];
    if (chosen === undefined) return null;
    const real = await realpath(chosen);
    this.granted.add(real);
    return real;
  }

  async showSave(window: BrowserWindow | null, options: DialogOptions = {}): Promise<string | null> {
    const dialogOptions = {
      title: options.title ?? 'Save graph',
      defaultPath: join(this.options.home, basename(options.defaultName ?? 'untitled.netwright.json')),
      filters: [{ name: 'Netwright graph', extensions: ['json'] }],
    };
    const result = window !== null ? await dialog.showSaveDialog(window, dialogOptions) : await dialog.showSaveDialog(dialogOptions);
    if (result.canceled || result.filePath === undefined || result.filePath === '') return null;
    const path = hasGraphExtension(result.filePath) ? result.filePath : `${result.filePath}.netwright.json`;
    const target = join(await realpath(dirname(path)), basename(path));
    this.granted.add(target);
    return target;
  }

  async list(dir: string): Promise<FileEntry[]> {
    const real = await this.check(dir, 'list');
    const out: FileEntry[] = [];
    for (const entry of await readdir(real, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const isDir = entry.isDirectory();
      if (!isDir && !(entry.isFile() && LISTED.some((ext) => entry.name.toLowerCase().endsWith(ext)))) continue;
      const info = await stat(join(real, entry.name)).catch(() => null);
      if (info !== null) out.push({ name: entry.name, path: join(real, entry.name), kind: isDir ? 'directory' : 'file', size: isDir ? 0 : info.size, modified: info.mtimeMs });
    }
    return out.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'directory' ? -1 : 1));
  }

  async read(path: string): Promise<OpenedFile> {
    const real = await this.check(path, 'read');
    const info = await stat(real);
    if (!info.isFile()) throw new FileAccessError(`${path} is not a file`);
    if (info.size > MAX_TEXT_FILE_BYTES) throw new FileAccessError(`${path} is too large to be a graph`);
    return { path: real, name: basename(real), contents: await readFile(real, 'utf8') };
  }

  async write(path: string, contents: string): Promise<{ path: string }> {
    const target = await this.check(path, 'write');
    await writeFileAtomically(target, contents);
    return { path: target };
  }

  async recent(): Promise<string[]> {
    try {
      const parsed: unknown = JSON.parse(await readFile(this.recentFile, 'utf8'));
      return Array.isArray(parsed) ? parsed.filter((p): p is string => typeof p === 'string').slice(0, MAX_RECENT) : [];
    } catch {
      return [];
    }
  }

  async addRecent(path: string): Promise<string[]> {
    const real = await this.check(path, 'read');
    // A recent file stays openable in later sessions, as if chosen in a dialog again.
    this.granted.add(real);
    const list = [real, ...(await this.recent()).filter((p) => p !== real)].slice(0, MAX_RECENT);
    await this.saveRecent(list);
    return list;
  }

  async clearRecent(): Promise<string[]> {
    await this.saveRecent([]);
    return [];
  }

  private async saveRecent(list: readonly string[]): Promise<void> {
    await mkdir(this.options.stateDir, { recursive: true });
    await writeFileAtomically(this.recentFile, `${JSON.stringify(list, null, 2)}\n`);
  }

  /**
   * The real path the renderer may use for `mode`, or a FileAccessError: granted by a dialog or
   * the recent list; else under home (writable) or the examples (read-only), with no hidden
   * segment, a graph file for reads and writes, and symlinks resolved before the check.
   */
  private async check(raw: string, mode: 'read' | 'write' | 'list'): Promise<string> {
    if (raw.includes('\0') || !isAbsolute(raw)) throw new FileAccessError('paths must be absolute');
    const lexical = resolve(raw);
    const real = mode === 'write' ? join(await realpath(dirname(lexical)), basename(lexical)) : await realpath(lexical);
    if (mode !== 'list' && !hasGraphExtension(real)) throw new FileAccessError(`${basename(real)}: only graph files (.netwright.json) are allowed here`);
    if (this.granted.has(real) || (mode === 'read' && (await this.recent()).includes(real))) return real;
    const home = await realpath(this.options.home);
    const examples = await realpath(this.options.examples).catch(() => null);
    const root = examples !== null && inside(examples, real) ? examples : inside(home, real) ? home : null;
    if (root === null) throw new FileAccessError(`${lexical} is outside the folders Netwright may use; choose it in a dialog`);
    if (mode === 'write' && root === examples) throw new FileAccessError('the bundled examples are read-only; save a copy elsewhere');
    for (const segment of relative(root, real).split(sep)) {
      if (segment.startsWith('.')) throw new FileAccessError(`${lexical}: hidden files and folders are off limits`);
    }
    return real;
  }
}
