// Which files a remote caller may touch. Paths reach the engine and the web host from the
// renderer, which in a browser is only as trustworthy as the token; so every path is resolved,
// symlinks followed, and checked against a few allowed folders (the user's documents or home,
// read-only bundled examples), never into hidden files (~/.ssh, ~/.config), and only for
// Netwright's own kinds of file.

import { lstat, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ChannelError } from '../protocol/index.js';

export interface PathRootOptions {
  readonly path: string;
  /** Shown to the user ("Home", "Examples"). */
  readonly label: string;
  readonly writable: boolean;
}

export interface PathRoot extends PathRootOptions {
  /** The root with symlinks resolved: what every real path is compared with. */
  readonly real: string;
}

/** Kinds of file, by how the name ends (lower case). */
export const GRAPH_FILES = ['.netwright.json', '.json'] as const;
export const WEIGHT_FILES = ['.safetensors'] as const;
export const DATA_FILES = ['.csv', '.tsv', '.txt', '.gz', '.idx', '.ubyte', '.bin', '.png', '.jpg', '.jpeg'] as const;

function forbidden(message: string): ChannelError {
  return new ChannelError('PATH_FORBIDDEN', message);
}

function inside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

export class PathPolicy {
  private constructor(readonly roots: readonly PathRoot[]) {}

  /** Resolves each root's symlinks once; roots that do not exist are left out. */
  static async create(roots: readonly PathRootOptions[]): Promise<PathPolicy> {
    const out: PathRoot[] = [];
    for (const root of roots) {
      try {
        out.push({ ...root, path: resolve(root.path), real: await realpath(resolve(root.path)) });
      } catch {
        // A missing documents folder is not an error; it just offers nothing.
      }
    }
    return new PathPolicy(out);
  }

  /** The real path of an existing file or folder the caller may read. */
  async resolveRead(raw: string, extensions: readonly string[] | 'directory'): Promise<string> {
    const { root, lexical } = this.locate(raw);
    let real: string;
    try {
      real = await realpath(lexical);
    } catch {
      throw new ChannelError('IO', `no such file or folder: ${lexical}`);
    }
    this.checkReal(root, real, lexical, 'read');
    if (extensions !== 'directory') checkExtension(real, extensions);
    return real;
  }

  /**
   * The path to write `raw` at: in a writable root, its folder existing and real inside the root,
   * and not a symlink itself (a link planted there must not redirect the write).
   */
  async resolveWrite(raw: string, extensions: readonly string[]): Promise<string> {
    const { root, lexical } = this.locate(raw);
    if (!root.writable) throw forbidden(`${root.label} is read-only: save elsewhere`);
    checkExtension(lexical, extensions);
    let folder: string;
    try {
      folder = await realpath(dirname(lexical));
    } catch {
      throw new ChannelError('IO', `no such folder: ${dirname(lexical)}`);
    }
    const target = join(folder, basename(lexical));
    this.checkReal(root, target, lexical, 'write');
    try {
      if ((await lstat(target)).isSymbolicLink()) throw forbidden(`refusing to write through a symbolic link: ${lexical}`);
    } catch (error) {
      if (error instanceof ChannelError) throw error;
      // Does not exist yet: fine, it is created.
    }
    return target;
  }

  /** Finds the root a path belongs to, lexically; relative paths are taken from the first root. */
  private locate(raw: string): { root: PathRoot; lexical: string } {
    if (raw.includes('\0')) throw forbidden('a path may not contain NUL');
    const first = this.roots[0];
    if (first === undefined) throw forbidden('this host allows no folders');
    const lexical = isAbsolute(raw) ? resolve(raw) : resolve(first.path, raw);
    // The most specific root wins (the examples folder may sit inside the home folder).
    const candidates = this.roots
      .filter((root) => inside(root.path, lexical) || inside(root.real, lexical))
      .sort((a, b) => b.path.length - a.path.length);
    const root = candidates[0];
    if (root === undefined) throw forbidden(`${lexical} is outside the folders Netwright may use (${this.roots.map((r) => r.path).join(', ')})`);
    const base = inside(root.path, lexical) ? root.path : root.real;
    checkSegments(relative(base, lexical), lexical);
    return { root, lexical };
  }

  private checkReal(root: PathRoot, real: string, lexical: string, mode: 'read' | 'write'): void {
    // After symlinks: still inside some allowed root; and a write must land in a writable one
    // (a link in the home folder must not redirect a save into the read-only examples).
    const owner = this.roots
      .filter((r) => inside(r.real, real))
      .sort((a, b) => b.real.length - a.real.length)[0];
    if (owner === undefined) throw forbidden(`${lexical} leads outside the folders Netwright may use`);
    if (mode === 'write' && (!owner.writable || !root.writable)) throw forbidden(`${lexical} leads into a read-only folder`);
    checkSegments(relative(owner.real, real), lexical);
  }
}

/** No hidden files or folders below a root, and no `..` left after resolving. */
function checkSegments(rel: string, shown: string): void {
  if (rel === '') return;
  for (const segment of rel.split(sep)) {
    if (segment === '..') throw forbidden(`${shown} is outside the folders Netwright may use`);
    if (segment.startsWith('.')) throw forbidden(`${shown}: hidden files and folders are off limits`);
  }
}

function checkExtension(path: string, extensions: readonly string[]): void {
  const name = basename(path).toLowerCase();
  if (!extensions.some((ext) => name.endsWith(ext) && name.length > ext.length)) {
    throw forbidden(`${basename(path)}: only ${extensions.join(', ')} files are allowed here`);
  }
}
