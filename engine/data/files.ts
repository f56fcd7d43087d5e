// File helpers shared by the readers: reading with errors a learner can act on (not a bare
// ENOENT), transparent gunzip detected by magic bytes (not by the file name), folder
// listings, and the size + mtime identity the cache is keyed by.

import { readFile, readdir, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { DatasetError } from './dataset.js';

const gunzipAsync = promisify(gunzip);

function errnoCode(err: unknown): string | undefined {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

/** Turns a file-system error into a DatasetError naming the file and what to do. */
export function fileError(err: unknown, file: string, what = 'file'): DatasetError {
  const code = errnoCode(err);
  if (code === 'ENOENT') return new DatasetError(`${what} not found: ${file}`, file, 'Check the dataset path in the training settings.');
  if (code === 'EACCES' || code === 'EPERM') return new DatasetError(`no permission to read ${file}`, file, 'Check the file permissions.');
  if (code === 'EISDIR') return new DatasetError(`${file} is a folder, expected a file`, file, 'Give the file itself as the path.');
  if (code === 'ENOTDIR') return new DatasetError(`${file} is a file, expected a folder`, file, 'Give the folder that holds the data as the path.');
  if (err instanceof DatasetError) return err;
  return new DatasetError(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`, file);
}

/** Reads a whole file; errors name the file. */
export async function readSource(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    throw fileError(err, file);
  }
}

/** True when the bytes start with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Reads a file and gunzips it when its first bytes say it is gzip (whatever its name). */
export async function readMaybeGzip(file: string): Promise<Buffer> {
  const bytes = await readSource(file);
  if (!isGzip(bytes)) return bytes;
  try {
    return await gunzipAsync(bytes);
  } catch (err) {
    throw new DatasetError(
      `${file} is a damaged gzip file (${err instanceof Error ? err.message : String(err)})`,
      file,
      'The download was probably cut short: download or install it again.',
    );
  }
}

/** Entries of a folder, sorted by name (so class order does not depend on the file system). */
export async function listFolder(dir: string): Promise<{ name: string; isDir: boolean; isFile: boolean }[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries
      .map((e) => ({ name: e.name, isDir: e.isDirectory(), isFile: e.isFile() }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch (err) {
    throw fileError(err, dir, 'folder');
  }
}

export async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

export async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

/** `path size mtime` lines for the cache key: a changed, replaced or touched source re-parses. */
export async function fileIdentity(files: readonly string[]): Promise<string> {
  const lines = await Promise.all(
    files.map(async (f) => {
      try {
        const s = await stat(f);
        return `${f}\t${s.size}\t${s.mtimeMs}`;
      } catch (err) {
        throw fileError(err, f);
      }
    }),
  );
  return lines.join('\n');
}
