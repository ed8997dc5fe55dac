#!/usr/bin/env python3
"""
PyTorch peer of `gan-studio bench`: the same two presets, the same training
step, timed the same way, so our speed can be read against a mainstream
framework on the same CPU.

    /usr/bin/python3 bench/torch-peer.py --preset dcgan-28 --batch 64 --steps 10 --warmup 2 --threads 1 --json

Needs only the standard library and torch (Debian: apt-get install python3-torch).

What one timed step does, mirroring src/engine/train/session.ts and gan-step.ts:
  D step: a real batch (synthetic, tanh of normal noise, like src/engine/bench.ts)
          and a fake batch from G(z) made without gradients (G in training mode,
          its BatchNorm statistics put back afterwards); D runs on each batch
          separately; BCE with logits; gradients for D's parameters only; Adam.
  G step: a fresh z; G → D (both in training mode, D's BatchNorm statistics put
          back afterwards); non-saturating BCE with logits; gradients for G's
          parameters only; Adam.
  EMA:    a copy of G, θ_ema ← θ + decay·(θ_ema − θ) with decay 0.999,
          BatchNorm statistics copied.
  Stats:  lossD, lossG, mean D(real), mean D(fake) and both gradient norms,
          read back to the host in one go.
Adam is torch.optim.Adam(lr 2e-4, betas (0.5, 0.999), eps 1e-8) for both nets.

The models are ours layer for layer (src/engine/models/dcgan.ts), in NCHW:
4×4 kernels; TF 'same' at stride 2 on these even sizes is padding 1; 'valid' is
padding 0; a bias exactly where ours has one; BatchNorm momentum 0.1 (= tfjs
0.9), eps 1e-5; weights N(0, 0.02), BatchNorm scales N(1, 0.02), biases 0.
Parameter counts go to stderr and equal tfjs's countParams() (which counts the
BatchNorm moving mean and variance too).

With --device cuda the same step runs on the GPU (the peer of our webgpu
backend), and the timing waits for the GPU (torch.cuda.synchronize) before the
clock starts and before it stops.

Prints one JSON line like ours:
  {"preset","backend":"torch-cpu" or "torch-cuda","batch","imgPerSec","msPerStep","threads"}

Quality mode (bench/fashion-vs-torch.ts drives it): with --train-data FILE the
same step trains on real images instead of the synthetic pool, for the largest
of --dump-at steps, and at each of those steps writes the samples of G and of
G-EMA (both in eval mode: BatchNorm on its moving statistics, as tfjs predict
does) for --samples latents to --dump-dir as raw bytes:
    g-<step>.u8, ema-<step>.u8   (samples × R × R × C, NHWC, round((x+1)·127.5))
FILE holds count × R × R × C bytes, NHWC (the layout of our data sets), read
as byte/127.5 − 1. --ema-warmup ramps the EMA decay as ours does by default
(src/engine/train/ema.ts: min(decay, (1+t)/(10+t)) at step t).

    /usr/bin/python3 bench/torch-peer.py --preset dcgan-28 --train-data train.u8 --dump-at 600,2000 --dump-dir out --ema-warmup
"""
import argparse
import copy
import json
import os
import sys
import time


def _threads_from_argv():
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument('--threads', type=int, default=1)
    pre.add_argument('--blas-threads', type=int, default=None)
    try:
        known = pre.parse_known_args()[0]
        threads = max(1, known.threads)
        return threads, max(1, known.blas_threads) if known.blas_threads is not None else 1
    except SystemExit:  # a bad value: main()'s parser reports it
        return 1, 1


# Thread pools that read their size at load time (OpenMP, and OpenBLAS when torch
# runs on it, which torch.set_num_threads does not reach) must be sized before torch loads.
# OpenBLAS's pool is separate from torch's OpenMP one: with both at N, a BLAS call
# made from inside a parallel region can run N x N threads on N cores.
_THREADS, _BLAS_THREADS = _threads_from_argv()
os.environ['OMP_NUM_THREADS'] = str(_THREADS)
os.environ['MKL_NUM_THREADS'] = str(_THREADS)
os.environ['OPENBLAS_NUM_THREADS'] = str(_BLAS_THREADS)

import torch  # noqa: E402
import torch.nn as nn
import torch.nn.functional as F

LATENT = 100
BASE = 64
INIT_STD = 0.02
BN_MOMENTUM = 0.1  # torch-style; tfjs momentum 0.9
BN_EPS = 1e-5
LEAKY = 0.2
LR, BETAS, EPS = 2e-4, (0.5, 0.999), 1e-8
EMA_DECAY = 0.999

PRESETS = {
    'dcgan-28': {'arch': 'dcgan-dense', 'resolution': 28, 'channels': 1},
    'dcgan-64': {'arch': 'dcgan-conv', 'resolution': 64, 'channels': 3},
}


def bn2d(c):
    return nn.BatchNorm2d(c, eps=BN_EPS, momentum=BN_MOMENTUM)


class Reshape(nn.Module):
    def __init__(self, *shape):
        super().__init__()
        self.shape = shape

    def forward(self, x):
        return x.view(x.shape[0], *self.shape)


def dense_generator(c, w=BASE):
    """[z] → dense (no bias) → 7·7·2w → BN, LReLU → [2w,7,7] → convT s2 (no bias) → [w,14,14] → BN, LReLU → convT s2 → [C,28,28] → tanh"""
    w2 = 2 * w
    return nn.Sequential(
        nn.Linear(LATENT, 7 * 7 * w2, bias=False),
        nn.BatchNorm1d(7 * 7 * w2, eps=BN_EPS, momentum=BN_MOMENTUM),
        nn.LeakyReLU(LEAKY),
        Reshape(w2, 7, 7),
        nn.ConvTranspose2d(w2, w2 // 2, 4, 2, 1, bias=False),
        bn2d(w2 // 2),
        nn.LeakyReLU(LEAKY),
        nn.ConvTranspose2d(w2 // 2, c, 4, 2, 1, bias=True),
        nn.Tanh(),
    )


def dense_discriminator(c, w=BASE):
    """[C,28,28] → conv s2 → [w,14,14] → LReLU → conv s2 → [2w,7,7] → LReLU → flatten → dense → logit (all with bias)"""
    return nn.Sequential(
        nn.Conv2d(c, w, 4, 2, 1, bias=True),
        nn.LeakyReLU(LEAKY),
        nn.Conv2d(w, 2 * w, 4, 2, 1, bias=True),
        nn.LeakyReLU(LEAKY),
        nn.Flatten(),
        nn.Linear(7 * 7 * 2 * w, 1, bias=True),
    )


def width_at(i, n, w=BASE):
    return w * min(2 ** (n - 1 - i), 8)


def conv_generator(c, res, w=BASE):
    """Radford et al.: [z,1,1] → convT k4 s1 valid (no bias) → [8w,4,4] → BN, ReLU → (convT s2 no bias, BN, ReLU)×(n−1) → convT s2 → [C,R,R] → tanh"""
    n = res.bit_length() - 1 - 2
    layers = [Reshape(LATENT, 1, 1), nn.ConvTranspose2d(LATENT, width_at(0, n, w), 4, 1, 0, bias=False), bn2d(width_at(0, n, w)), nn.ReLU()]
    for i in range(1, n):
        layers += [nn.ConvTranspose2d(width_at(i - 1, n, w), width_at(i, n, w), 4, 2, 1, bias=False), bn2d(width_at(i, n, w)), nn.ReLU()]
    layers += [nn.ConvTranspose2d(width_at(n - 1, n, w), c, 4, 2, 1, bias=True), nn.Tanh()]
    return nn.Sequential(*layers)


def conv_discriminator(c, res, w=BASE):
    """[C,R,R] → conv s2 (bias) → LReLU → (conv s2 no bias, BN, LReLU)×(n−1) → [8w,4,4] → conv k4 valid (bias) → flatten → logit"""
    n = res.bit_length() - 1 - 2
    layers = [nn.Conv2d(c, width_at(n - 1, n, w), 4, 2, 1, bias=True), nn.LeakyReLU(LEAKY)]
    for i in range(1, n):
        cin, cout = width_at(n - i, n, w), width_at(n - 1 - i, n, w)
        layers += [nn.Conv2d(cin, cout, 4, 2, 1, bias=False), bn2d(cout), nn.LeakyReLU(LEAKY)]
    layers += [nn.Conv2d(width_at(0, n, w), 1, 4, 1, 0, bias=True), nn.Flatten()]
    return nn.Sequential(*layers)


def init_weights(model):
    for m in model.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(m.weight, 0.0, INIT_STD)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            nn.init.normal_(m.weight, 1.0, INIT_STD)
            nn.init.zeros_(m.bias)
    return model


def build(preset):
    p = PRESETS[preset]
    c, res = p['channels'], p['resolution']
    if p['arch'] == 'dcgan-dense':
        return init_weights(dense_generator(c)), init_weights(dense_discriminator(c))
    return init_weights(conv_generator(c, res)), init_weights(conv_discriminator(c, res))


def bn_stats(model):
    """BatchNorm moving mean and variance: what tfjs keeps as non-trainable weights."""
    return [b for name, b in model.named_buffers() if name.endswith(('running_mean', 'running_var'))]


def count(model):
    trainable = sum(p.numel() for p in model.parameters())
    stats = sum(b.numel() for b in bn_stats(model))
    return trainable, trainable + stats


class KeepingStats:
    """Put a model's BatchNorm statistics back after a forward pass, as gan-step.ts does."""

    def __init__(self, model):
        self.buffers = list(model.buffers())  # running stats and num_batches_tracked

    def __enter__(self):
        self.saved = [b.clone() for b in self.buffers]

    def __exit__(self, *exc):
        with torch.no_grad():
            for b, s in zip(self.buffers, self.saved):
                b.copy_(s)
        return False


def blas_library():
    """The BLAS shared library torch loaded, and what kind it is (Debian's torch uses whatever libblas.so.3 points to)."""
    try:
        with open('/proc/self/maps') as f:
            paths = sorted({line.split()[-1] for line in f if 'blas' in line.lower() or 'mkl' in line.lower()})
    except OSError:
        return 'unknown', 'unknown'
    libs = [p for p in paths if '.so' in p]
    if not libs:
        return 'none found', 'unknown'
    lib = libs[0]
    low = ' '.join(libs).lower()
    if 'openblas' in low:
        kind = 'OpenBLAS'
    elif 'mkl' in low:
        kind = 'MKL'
    elif 'blis' in low:
        kind = 'BLIS'
    elif '/blas/libblas.so' in low:
        kind = 'reference'
    else:
        kind = 'unknown'
    return lib, kind


def grad_norm(grads):
    return torch.stack([g.pow(2).sum() for g in grads]).sum().sqrt()


def load_images(file, res, ch):
    """count×R×R×C bytes (NHWC) → [count, C, R, R] floats in [-1, 1], as our data sets' batch() reads them."""
    raw = open(file, 'rb').read()
    per = res * res * ch
    if len(raw) == 0 or len(raw) % per:
        raise SystemExit(f'--train-data {file}: {len(raw)} bytes is not a whole number of {res}×{res}×{ch} images')
    x = torch.frombuffer(bytearray(raw), dtype=torch.uint8).view(-1, res, res, ch).permute(0, 3, 1, 2)
    return x.float().div(127.5).sub(1).contiguous()


def write_samples(model, z, file):
    """G in eval mode on fixed latents → bytes round((x+1)·127.5), NHWC, written atomically."""
    was = model.training
    model.eval()
    with torch.no_grad():
        out = torch.cat([model(z[i:i + 256]) for i in range(0, z.shape[0], 256)])
    model.train(was)
    b = ((out + 1) * 127.5).round().clamp(0, 255).to(torch.uint8).permute(0, 2, 3, 1).contiguous().cpu()
    tmp = file + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(b.numpy().tobytes())
    os.replace(tmp, file)


def train_and_dump(step, g, g_ema, dump_at, args, dev):
    """Quality mode: train to the last dump step, writing G's and G-EMA's samples at each dump step."""
    os.makedirs(args.dump_dir, exist_ok=True)
    z = torch.randn(args.samples, LATENT, generator=torch.Generator().manual_seed(args.seed + 7)).to(dev)
    start, done = time.perf_counter(), 0
    for target in dump_at:
        while done < target:
            stats = step()
            done += 1
        write_samples(g, z, os.path.join(args.dump_dir, f'g-{target}.u8'))
        write_samples(g_ema, z, os.path.join(args.dump_dir, f'ema-{target}.u8'))
        print(json.dumps({'step': done, 'seconds': round(time.perf_counter() - start, 1), 'lossD': stats[0],
                          'lossG': stats[1]}), flush=True)


class Nets:
    """G, D, G-EMA and both Adams, set up as ours (src/engine/train/session.ts)."""

    def __init__(self, g, d, n, dev):
        self.g, self.d = g.to(dev), d.to(dev)
        self.g_ema = copy.deepcopy(self.g)
        for p in self.g_ema.parameters():
            p.requires_grad_(False)
        self.g.train(), self.d.train(), self.g_ema.eval()
        self.g_params, self.d_params = list(self.g.parameters()), list(self.d.parameters())
        self.opt_g = torch.optim.Adam(self.g_params, lr=LR, betas=BETAS, eps=EPS)
        self.opt_d = torch.optim.Adam(self.d_params, lr=LR, betas=BETAS, eps=EPS)
        self.ema_pairs = list(zip(self.g_ema.parameters(), self.g_params))
        self.ema_bufs = list(zip(self.g_ema.buffers(), self.g.buffers()))
        self.keep_g, self.keep_d = KeepingStats(self.g), KeepingStats(self.d)
        self.ones, self.zeros = torch.ones(n, 1, device=dev), torch.zeros(n, 1, device=dev)


def train_step(nets, real, z_d, z_g, decay):
    """One training step on a real batch and two latent batches (D's, G's); EMA with `decay`.
    Returns [lossD, lossG, D(real), D(fake), |grad D|, |grad G|] and both gradient lists
    (bench/torch-step-check.py compares them with ours)."""
    g, d = nets.g, nets.d
    # D step: fakes from G without gradients, D's gradients only.
    with torch.no_grad(), nets.keep_g:
        fake = g(z_d)
    real_logits, fake_logits = d(real), d(fake)
    loss_d = (F.binary_cross_entropy_with_logits(real_logits, nets.ones)
              + F.binary_cross_entropy_with_logits(fake_logits, nets.zeros))
    grads_d = torch.autograd.grad(loss_d, nets.d_params)
    for p, gr in zip(nets.d_params, grads_d):
        p.grad = gr
    nets.opt_d.step()
    with torch.no_grad():
        d_real, d_fake = torch.sigmoid(real_logits).mean(), torch.sigmoid(fake_logits).mean()
        norm_d = grad_norm(grads_d)

    # G step through D with a fresh z: non-saturating loss, G's gradients only.
    with nets.keep_d:
        loss_g = F.binary_cross_entropy_with_logits(d(g(z_g)), nets.ones)
        grads_g = torch.autograd.grad(loss_g, nets.g_params)
    for p, gr in zip(nets.g_params, grads_g):
        p.grad = gr
    nets.opt_g.step()

    with torch.no_grad():
        norm_g = grad_norm(grads_g)
        # EMA: θ_ema ← θ + decay·(θ_ema − θ), i.e. lerp towards θ by 1 − decay; statistics copied.
        for pe, p in nets.ema_pairs:
            pe.lerp_(p, 1 - decay)
        for be, b in nets.ema_bufs:
            be.copy_(b)
        # One read-back of the step's six numbers.
        stats = torch.stack([loss_d.detach(), loss_g.detach(), d_real, d_fake, norm_d, norm_g]).tolist()
    return stats, grads_d, grads_g


def main():
    ap = argparse.ArgumentParser(description='PyTorch peer of gan-studio bench')
    ap.add_argument('--preset', default='dcgan-28', choices=sorted(PRESETS))
    ap.add_argument('--batch', type=int, default=64)
    ap.add_argument('--steps', type=int, default=10)
    ap.add_argument('--warmup', type=int, default=2)
    ap.add_argument('--threads', type=int, default=1, help='torch.set_num_threads (default 1: our wasm backend is single-threaded)')
    ap.add_argument('--blas-threads', type=int, default=None, help="OpenBLAS's own pool (default 1: torch calls BLAS inside its own parallel regions, so more oversubscribes; bench/peer.mjs has the measurements)")
    ap.add_argument('--device', default='cpu', choices=['cpu', 'cuda'], help='cuda: time the step on the GPU (peer of --backend webgpu)')
    ap.add_argument('--json', action='store_true', help='print one JSON line')
    ap.add_argument('--train-data', help='quality mode: train on these images (count×R×R×C bytes, NHWC)')
    ap.add_argument('--dump-at', default='', help='quality mode: steps at which to write samples, e.g. 600,2000')
    ap.add_argument('--dump-dir', help='quality mode: where to write g-<step>.u8 and ema-<step>.u8')
    ap.add_argument('--samples', type=int, default=1024, help='quality mode: samples written per dump')
    ap.add_argument('--seed', type=int, default=1, help='torch.manual_seed')
    ap.add_argument('--ema-warmup', action='store_true', help='EMA decay min(decay, (1+t)/(10+t)), as ours by default')
    args = ap.parse_args()
    dump_at = sorted({int(v) for v in args.dump_at.split(',') if v.strip()}) if args.dump_at else []
    if args.train_data and (not dump_at or not args.dump_dir or min(dump_at) < 1 or args.samples < 1):
        ap.error('--train-data needs --dump-at (steps >= 1), --dump-dir and --samples >= 1')
    if args.device == 'cuda' and not torch.cuda.is_available():
        ap.error('--device cuda: torch sees no CUDA GPU')
    dev = torch.device(args.device)

    def sync():
        if dev.type == 'cuda':
            torch.cuda.synchronize()
    if args.batch < 1 or args.steps < 1 or args.warmup < 0 or args.threads < 1:
        ap.error('--batch, --steps and --threads must be >= 1, --warmup >= 0')

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    preset = PRESETS[args.preset]
    res, ch, n = preset['resolution'], preset['channels'], args.batch

    nets = Nets(*build(args.preset), n, dev)
    g, d, g_ema = nets.g, nets.d, nets.g_ema

    (gt, gtot), (dt, dtot) = count(g), count(d)
    blas, blas_kind = blas_library()
    where = f'GPU {torch.cuda.get_device_name(dev)}' if dev.type == 'cuda' else f'{torch.get_num_threads()} thread(s)'
    print(f'{args.preset}: G {gtot} params ({gt} trainable), D {dtot} params ({dt} trainable); '
          f'torch {torch.__version__}, {where}, BLAS {blas_kind} ({blas})', file=sys.stderr)
    if blas_kind == 'reference' and dev.type == 'cpu':
        print('warning: torch is running on the netlib reference BLAS; its transposed convolutions and weight gradients '
              'go through it and run several times slower than with OpenBLAS (apt-get install libopenblas0-pthread)',
              file=sys.stderr)

    if args.train_data:
        pool = load_images(args.train_data, res, ch).to(dev)
    else:
        pool = torch.tanh(torch.randn(256, ch, res, res)).to(dev)  # synthetic data, like bench.ts
    pool_n = pool.shape[0]
    order, pos = torch.randperm(pool_n), 0
    steps_done = 0

    def step():
        nonlocal order, pos, steps_done
        if pos + n > pool_n:
            order, pos = torch.randperm(pool_n), 0
        idx = order[pos:pos + n] if n <= pool_n else torch.randint(0, pool_n, (n,))
        pos += n
        real = pool[idx.to(dev)]
        # D's z, then G's: the order the step used to draw them in (no other draw comes between).
        z_d = torch.randn(n, LATENT, device=dev)
        z_g = torch.randn(n, LATENT, device=dev)
        steps_done += 1
        decay = min(EMA_DECAY, (1 + steps_done) / (10 + steps_done)) if args.ema_warmup else EMA_DECAY
        return train_step(nets, real, z_d, z_g, decay)[0]

    if args.train_data:
        train_and_dump(step, g, g_ema, dump_at, args, dev)
        return

    for _ in range(args.warmup):
        step()
    sync()
    start = time.perf_counter()
    for _ in range(args.steps):
        stats = step()
    sync()
    ms = (time.perf_counter() - start) * 1000 / args.steps
    if not all(v == v for v in stats):
        print(f'warning: NaN in step stats {stats}', file=sys.stderr)

    line = {'preset': args.preset, 'backend': f'torch-{dev.type}', 'batch': n,
            'imgPerSec': round(n * 1000 / ms, 2), 'msPerStep': round(ms, 2), 'threads': args.threads, 'blasThreads': _BLAS_THREADS}
    if args.json:
        print(json.dumps(line, separators=(',', ':')))
    else:
        print(f"{line['preset']} on {line['backend']} ({where}), batch {n}: {line['imgPerSec']} img/s, "
              f"{line['msPerStep']} ms/step ({args.steps} steps after {args.warmup} warm-up)")


if __name__ == '__main__':
    main()
