"""PyTorch and NumPy peers for `npm run bench` (bench/peers.ts runs this with /usr/bin/python3).

Usage: torch_peer.py THREADS WORKLOAD --serve [--warmup-seconds=S] [--data=FILE]
(workloads: mlp, cnn, gemm; S: training warms up for its warm-up steps and at least S seconds,
0 by default, as bench/harness.ts MIN_WARMUP_MS has ours do; FILE: the batch to train on,
128 × 784 float32 pixels then 128 int32 labels, little-endian, as bench/mnistBatch.ts writes
it — otherwise one fixed random batch).

Sets up and warms up the workload once, prints one JSON line (the versions, the BLAS library
actually loaded, and "ready": whether the workload's library is there), then answers each line
`run N` on stdin with one line {"results": [...]} of N timed runs (samples/s for training,
GFLOPS per call for GEMM), until stdin closes. The bench keeps one such process per workload
and asks it for a few runs in each of its rounds, alternating with ours, without paying for a
new process (and a new warm-up) every round. `--serve` is required, so that a call in the old
one-shot form fails loudly instead of waiting on stdin.

The caller sets OPENBLAS_NUM_THREADS / OMP_NUM_THREADS to THREADS before starting us, since
OpenBLAS reads them when it loads; torch.set_num_threads covers PyTorch's own pool.
The workloads are those of bench/workloads.ts: batch 128, float32, softmax cross-entropy,
Adam lr 1e-3, one fixed random batch.
"""
import json
import re
import sys
import time

BATCH = 128


def loaded_blas():
    """Shared libraries that provide BLAS in this process (after the first matmul)."""
    found = set()
    with open('/proc/self/maps') as maps:
        for line in maps:
            path = line.split()[-1]
            if re.search(r'lib(open)?blas|libmkl|libblis|libatlas', path):
                found.add(path)
    return sorted(found)


def training(torch, model, x, y, steps, warmup, warmup_seconds):
    """Warms the model up; returns runs -> [samples/s per run of `steps` steps]."""
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    start = time.perf_counter()
    for _ in range(warmup):
        step()
    while time.perf_counter() - start < warmup_seconds:
        step()

    def measure(runs):
        out = []
        for _ in range(runs):
            begin = time.perf_counter()
            for _ in range(steps):
                step()
            out.append(BATCH * steps / (time.perf_counter() - begin))
        return out

    return measure


def gemm(np):
    """Warms a 512³ SGEMM up; returns runs -> [GFLOPS per call]."""
    rng = np.random.default_rng(0)
    a = rng.random((512, 512), dtype=np.float32) - 0.5
    b = rng.random((512, 512), dtype=np.float32) - 0.5
    c = np.empty((512, 512), dtype=np.float32)
    for _ in range(10):
        np.matmul(a, b, out=c)
    flops = 2 * 512 ** 3

    def measure(runs):
        out = []
        for _ in range(runs):
            begin = time.perf_counter()
            np.matmul(a, b, out=c)
            out.append(flops / (time.perf_counter() - begin) / 1e9)
        return out

    return measure


def setup(torch, np, workload, warmup_seconds, data):
    """The workload's measure function, or None when its library is missing."""
    if workload == 'gemm':
        return gemm(np) if np is not None else None
    if torch is None:
        return None
    torch.manual_seed(0)
    nn = torch.nn
    batch = None
    if data is not None:
        raw = open(data, 'rb').read()
        pixels = BATCH * 784 * 4
        x_data = torch.frombuffer(bytearray(raw[:pixels]), dtype=torch.float32).reshape(BATCH, 784)
        y_data = torch.frombuffer(bytearray(raw[pixels:pixels + BATCH * 4]), dtype=torch.int32).long()
        batch = (x_data, y_data)
    if workload == 'mlp':
        mlp = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
        x, y = batch if batch is not None else (torch.randn(BATCH, 784), torch.randint(0, 10, (BATCH,)))
        return training(torch, mlp, x, y, steps=20, warmup=30, warmup_seconds=warmup_seconds)
    if workload == 'cnn':
        cnn = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(1568, 10))
        x, y = (batch[0].reshape(BATCH, 1, 28, 28), batch[1]) if batch is not None else (torch.randn(BATCH, 1, 28, 28), torch.randint(0, 10, (BATCH,)))
        return training(torch, cnn, x, y, steps=5, warmup=5, warmup_seconds=warmup_seconds)
    raise SystemExit(f'torch_peer.py: unknown workload {workload!r} (mlp, cnn or gemm)')


def send(obj):
    sys.stdout.write(json.dumps(obj) + '\n')
    sys.stdout.flush()


def main():
    threads = int(sys.argv[1])
    workload = next(a for a in sys.argv[2:] if not a.startswith('--'))
    if '--serve' not in sys.argv[2:]:
        raise SystemExit('torch_peer.py: only --serve is supported (see the docstring)')
    warmup_seconds = 0.0
    data = None
    for a in sys.argv[2:]:
        if a.startswith('--warmup-seconds='):
            warmup_seconds = float(a[len('--warmup-seconds='):])
        if a.startswith('--data='):
            data = a[len('--data='):]
    report = {'threads': threads, 'python': sys.version.split()[0]}
    try:
        import numpy as np
    except ImportError:
        np = None
    torch = None
    try:
        import torch as torch_module
        torch = torch_module
        torch.set_num_threads(threads)
    except ImportError:
        pass
    report['numpy'] = np.__version__ if np is not None else None
    report['torch'] = torch.__version__ if torch is not None else None

    measure = setup(torch, np, workload, warmup_seconds, data)
    report['blas'] = loaded_blas()
    report['ready'] = measure is not None
    time.sleep(0.25)
    send(report)
    for line in sys.stdin:
        words = line.split()
        if len(words) == 2 and words[0] == 'run' and measure is not None:
            results = measure(int(words[1]))
            # OpenBLAS's worker threads spin for about 2^28 cycles (~0.1 s) after a call before
            # they sleep: answer only once they have, so that they do not take a core from the
            # runs the bench times next.
            time.sleep(0.25)
            send({'results': results})
        else:
            send({'error': f'torch_peer.py: cannot answer {line.strip()!r}'})


main()
