// The peer protocol of bench/peers.ts (torch_peer.py --serve) against stand-in peers: small
// shell scripts in place of Python, so that the test needs neither PyTorch nor NumPy. The real
// peer is exercised by `npm run bench`.

import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'netwright-peers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const REPORT = '{"threads": 1, "python": "3.11", "torch": "1.13", "numpy": "1.24", "blas": ["libopenblas.so"], "ready": true}';

/** An executable stand-in for the Python interpreter (it ignores the script and its arguments). */
function fakePython(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

/** bench/peers.ts loaded afresh with NETWRIGHT_BENCH_PYTHON = python, and what it printed. */
async function peersWith(python: string) {
  vi.resetModules();
  process.env['NETWRIGHT_BENCH_PYTHON'] = python;
  const printed: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void printed.push(args.join(' ')));
  const peers = await import('./peers.js');
  return { peers, printed };
}

afterEach(() => {
  vi.restoreAllMocks();
  delete process.env['NETWRIGHT_BENCH_PYTHON'];
});

describe('bench peers (torch_peer.py --serve protocol)', () => {
  it('a warmed-up peer answers each round with that many runs, and stops when closed', async () => {
    // Answers `run N` with N figures 100, 101, …; exits when stdin closes.
    const argsFile = join(dir, 'good.args');
    const python = fakePython('good.sh', `echo "$@" > ${argsFile}\necho '${REPORT}'\nwhile read cmd n; do printf '{"results": ['; i=0; while [ $i -lt $n ]; do [ $i -gt 0 ] && printf ', '; printf '%d' $((100 + i)); i=$((i + 1)); done; echo ']}'; done`);
    const { peers, printed } = await peersWith(python);
    const peer = await peers.pytorchTraining(1, 'mlp', '/tmp/batch.bin');
    expect(peer).not.toBeNull();
    // The script, the thread count, the workload, serve mode, our warm-up time and the batch.
    expect(readFileSync(argsFile, 'utf8').trim()).toMatch(/torch_peer\.py 1 mlp --serve --warmup-seconds=2 --data=\/tmp\/batch\.bin$/);
    expect(await peer!.measure(3)).toEqual([100, 101, 102]);
    expect(await peer!.measure(1)).toEqual([100]);
    peer!.close();
    expect(printed.join('\n')).toContain('peers (1 thread): python 3.11, torch 1.13, numpy 1.24, BLAS libopenblas.so');
    expect(peers.peerRuns).toEqual([{ threads: 1, python: '3.11', torch: '1.13', numpy: '1.24', blas: ['libopenblas.so'] }]);
  });

  it('a missing library is skipped with the install hint', async () => {
    const python = fakePython('noNumpy.sh', `echo '${REPORT.replace('"ready": true', '"ready": false').replace('"numpy": "1.24"', '"numpy": null')}'\ncat > /dev/null`);
    const { peers, printed } = await peersWith(python);
    expect(await peers.numpyGemm(2)).toBeNull();
    expect(printed.join('\n')).toMatch(/numpy: skipped — python3-numpy is not installed \(apt-get install/);
  });

  it('a peer that crashes, prints garbage or fails mid-run is skipped, saying why', async () => {
    const crash = await peersWith(fakePython('crash.sh', 'echo "ImportError: libopenblas.so.0: cannot open" >&2\nexit 1'));
    expect(await crash.peers.pytorchTraining(1, 'cnn')).toBeNull();
    expect(crash.printed.join('\n')).toContain('skipped — ');
    expect(crash.printed.join('\n')).toContain('failed: ImportError: libopenblas.so.0: cannot open');

    const garbage = await peersWith(fakePython('garbage.sh', 'echo "Segmentation fault"'));
    expect(await garbage.peers.pytorchTraining(1, 'mlp')).toBeNull();
    expect(garbage.printed.join('\n')).toContain('printed no JSON');

    const midRun = await peersWith(fakePython('midrun.sh', `echo '${REPORT}'\nread cmd n\necho "RuntimeError: out of memory" >&2\nexit 3`));
    const peer = await midRun.peers.pytorchTraining(2, 'mlp');
    expect(peer).not.toBeNull();
    expect(await peer!.measure(2)).toBeNull();
    expect(await peer!.measure(2)).toBeNull();
    expect(midRun.printed.join('\n')).toContain('failed: RuntimeError: out of memory');
  });

  it('no interpreter at all: both peers are skipped in one line', async () => {
    const { peers, printed } = await peersWith(join(dir, 'no-such-python'));
    expect(await peers.pytorchTraining(1, 'mlp')).toBeNull();
    expect(await peers.numpyGemm(1)).toBeNull();
    expect(printed.filter((l) => l.includes('is not installed'))).toHaveLength(1);
  });
});
