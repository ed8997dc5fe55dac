#!/usr/bin/env python3
"""
Torch's single-thread (or --threads T) GEMM and conv speed on this CPU, GFLOP/s, to
put beside our wasm FMA peak loop (`npx tsx bench/wasm-gemm.ts`, first lines).

    /usr/bin/python3 bench/torch-gemm.py [--threads 1] [--reps 7]

Shapes: the GEMMs of a DCGAN step at batch 64 (as bench/wasm-gemm.ts), and the conv
forwards / backwards of dcgan-64's and dcgan-28's main layers (4×4, stride 2, pad 1,
NCHW as torch-peer.py runs them). Best of --reps, after one warm-up.
"""
import argparse
import time

ap = argparse.ArgumentParser()
ap.add_argument('--threads', type=int, default=1)
ap.add_argument('--reps', type=int, default=7)
args = ap.parse_args()

import torch  # noqa: E402

torch.set_num_threads(args.threads)
torch.manual_seed(0)


def best(f, reps):
    f()
    t = []
    for _ in range(reps):
        s = time.perf_counter()
        f()
        t.append(time.perf_counter() - s)
    return min(t)


print(f'torch {torch.__version__}, threads {torch.get_num_threads()}, '
      f'BLAS: {torch.__config__.show().count("openblas") and "openblas" or "?"}')
print('matmul M×K×N | GFLOP/s')
for (m, k, n) in [(3136, 1152, 128), (3136, 1024, 128), (16384, 1024, 128),
                  (4096, 2048, 256), (1024, 4096, 512), (1024, 17408, 128)]:
    a = torch.randn(m, k)
    b = torch.randn(k, n)
    t = best(lambda: torch.mm(a, b), args.reps)
    print(f'{m}×{k}×{n} | {2 * m * k * n / t / 1e9:.1f}')

print('conv 4×4/2 (batch 64) | forward GFLOP/s | dx GFLOP/s | dW GFLOP/s')
for (name, cin, hw, cout) in [('d64 32x32x64->16x16x128', 64, 32, 128),
                              ('d64 16x16x128->8x8x256', 128, 16, 256),
                              ('d64 8x8x256->4x4x512', 256, 8, 512),
                              ('d28 14x14x64->7x7x128', 64, 14, 128)]:
    conv = torch.nn.Conv2d(cin, cout, 4, 2, 1, bias=False)
    x = torch.randn(64, cin, hw, hw, requires_grad=True)
    with torch.no_grad():
        y = conv(x)
    flops = 2 * y.numel() * cin * 16
    tf_ = best(lambda: conv(x).detach(), args.reps)
    gy = torch.randn_like(y)
    w = conv.weight.detach()
    tdx = best(lambda: torch.nn.grad.conv2d_input(x.shape, w, gy, 2, 1), args.reps)
    tdw = best(lambda: torch.nn.grad.conv2d_weight(x.detach(), w.shape, gy, 2, 1), args.reps)
    print(f'{name} | {flops / tf_ / 1e9:.1f} | {flops / tdx / 1e9:.1f} | {flops / tdw / 1e9:.1f}')
