// Atomic file writes for everything the engine saves (checkpoints, graphs, the web host's files
// and recent list): a temporary file in the same folder (so the rename stays on one file
// system), flushed to disk, then renamed over the target. Readers see the old file or the new
// one, never half of it, even if the process dies mid-write.
// (app/files.ts keeps its own copy: the layering rule keeps Electron's main away from engine/.)

import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export async function writeFileAtomic(path: string, contents: Uint8Array | string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'w', 0o644);
    try {
      await handle.writeFile(contents);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}
