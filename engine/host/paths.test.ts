// Which paths a remote caller may use: inside the allowed folders after resolving `..` and
// symlinks, never hidden, only Netwright's kinds of file, and nothing written to a read-only root
// or through a planted symlink.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAPH_FILES, PathPolicy, WEIGHT_FILES } from './paths.js';

let dir: string;
let policy: PathPolicy;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'netwright-paths-'));
  await mkdir(join(dir, 'home', 'projects'), { recursive: true });
  await mkdir(join(dir, 'home', '.ssh'));
  await mkdir(join(dir, 'examples'));
  await writeFile(join(dir, 'home', 'projects', 'a.netwright.json'), '{}');
  await writeFile(join(dir, 'home', '.ssh', 'id.json'), '{}');
  await writeFile(join(dir, 'examples', 'lenet.netwright.json'), '{}');
  await writeFile(join(dir, 'outside.netwright.json'), '{}');
  await symlink(join(dir, 'outside.netwright.json'), join(dir, 'home', 'link.netwright.json'));
  await symlink(join(dir, 'examples'), join(dir, 'home', 'examples-link'));
  await symlink(dir, join(dir, 'home', 'up'));
  policy = await PathPolicy.create([
    { path: join(dir, 'home'), label: 'Home', writable: true },
    { path: join(dir, 'examples'), label: 'Examples', writable: false },
    { path: join(dir, 'missing'), label: 'Missing', writable: true },
  ]);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('PathPolicy', () => {
  it('drops roots that do not exist', () => {
    expect(policy.roots.map((r) => r.label)).toEqual(['Home', 'Examples']);
  });

  it('reads graphs in the allowed folders, by absolute or home-relative path', async () => {
    const file = join(dir, 'home', 'projects', 'a.netwright.json');
    expect(await policy.resolveRead(file, GRAPH_FILES)).toMatch(/a\.netwright\.json$/);
    expect(await policy.resolveRead('projects/a.netwright.json', GRAPH_FILES)).toBe(await policy.resolveRead(file, GRAPH_FILES));
    expect(await policy.resolveRead(join(dir, 'examples', 'lenet.netwright.json'), GRAPH_FILES)).toMatch(/lenet/);
    // A link from home into the examples is still inside an allowed root.
    expect(await policy.resolveRead(join(dir, 'home', 'examples-link', 'lenet.netwright.json'), GRAPH_FILES)).toMatch(/examples\/lenet/);
  });

  it.each([
    ['outside every root', () => join(dir, 'outside.netwright.json')],
    ['up with ..', () => join(dir, 'home', '..', 'outside.netwright.json')],
    ['relative ..', () => '../outside.netwright.json'],
    ['a symlink out', () => join(dir, 'home', 'link.netwright.json')],
    ['a symlinked folder out', () => join(dir, 'home', 'up', 'outside.netwright.json')],
    ['a hidden folder', () => join(dir, 'home', '.ssh', 'id.json')],
    ['a NUL byte', () => join(dir, 'home', 'projects', 'a.netwright.json\0.png')],
    ['another kind of file', () => join(dir, 'home', 'projects')],
  ])('refuses to read %s', async (_what, path) => {
    await expect(policy.resolveRead(path(), GRAPH_FILES)).rejects.toMatchObject({ code: expect.stringMatching(/PATH_FORBIDDEN|IO/) });
  });

  it('reports a missing file as IO, not as forbidden', async () => {
    await expect(policy.resolveRead(join(dir, 'home', 'nope.netwright.json'), GRAPH_FILES)).rejects.toMatchObject({ code: 'IO' });
  });

  it('writes only into writable roots, real folders, and never through a symlink', async () => {
    expect(await policy.resolveWrite(join(dir, 'home', 'projects', 'new.safetensors'), WEIGHT_FILES)).toMatch(/projects\/new\.safetensors$/);
    await expect(policy.resolveWrite(join(dir, 'examples', 'x.netwright.json'), GRAPH_FILES)).rejects.toMatchObject({ code: 'PATH_FORBIDDEN' });
    await expect(policy.resolveWrite(join(dir, 'home', 'examples-link', 'x.netwright.json'), GRAPH_FILES)).rejects.toMatchObject({ code: 'PATH_FORBIDDEN' });
    await expect(policy.resolveWrite(join(dir, 'home', 'link.netwright.json'), GRAPH_FILES)).rejects.toMatchObject({ code: 'PATH_FORBIDDEN' });
    await expect(policy.resolveWrite(join(dir, 'home', 'up', 'x.netwright.json'), GRAPH_FILES)).rejects.toMatchObject({ code: 'PATH_FORBIDDEN' });
    await expect(policy.resolveWrite(join(dir, 'home', '.bashrc.netwright.json'), GRAPH_FILES)).rejects.toMatchObject({ code: 'PATH_FORBIDDEN' });
    await expect(policy.resolveWrite(join(dir, 'home', 'run.sh'), GRAPH_FILES)).rejects.toMatchObject({ code: 'PATH_FORBIDDEN' });
    await expect(policy.resolveWrite(join(dir, 'home', '.json'), GRAPH_FILES)).rejects.toMatchObject({ code: 'PATH_FORBIDDEN' });
    await expect(policy.resolveWrite(join(dir, 'home', 'no-such-folder', 'x.netwright.json'), GRAPH_FILES)).rejects.toMatchObject({ code: 'IO' });
  });

  it('allows folders for listing where asked', async () => {
    expect(await policy.resolveRead(join(dir, 'home', 'projects'), 'directory')).toMatch(/projects$/);
    await expect(policy.resolveRead(join(dir, 'home', '.ssh'), 'directory')).rejects.toMatchObject({ code: 'PATH_FORBIDDEN' });
  });
});
