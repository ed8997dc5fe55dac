#!/usr/bin/env python3
"""
Replays our recorded dcgan-28 training steps in torch-peer.py and says how far
apart the two are (bench/step-vs-torch.ts records the steps and runs this).

    /usr/bin/python3 bench/torch-step-check.py DIR [--tolerance 1e-4]

DIR holds manifest.json and the float32 files it names. For each step: load
ours' starting point (G, D, G-EMA weights with BatchNorm statistics, both
Adams' moments and step counts) into torch-peer.py's models and optimizers,
run torch-peer.py's own train_step on the same real batch and latents, and
print ‖torch − ours‖ / ‖ours‖ for D's and G's gradients and for the weights
after the step, plus the step's numbers from both sides. BatchNorm moving
variances are reported on their own line: tfjs averages the biased batch
variance, torch the unbiased one, a known difference of about
(1 − momentum)/(n − 1) per step.

Layouts: ours is NHWC, torch NCHW. Conv kernels [kh, kw, in, out] are torch's
[out, in, kh, kw]; transposed-conv kernels [kh, kw, out, in] are torch's
[in, out, kh, kw]; dense kernels [in, out] are torch's [out, in]. G's dense
layer feeds a [7, 7, 128] reshape here and a [128, 7, 7] view there, and D's
dense layer reads the flattened [7, 7, 128] map, so those units are permuted.

Exits 1 when a gradient or trained weight differs by more than --tolerance.
STEP_CHECK_VERBOSE=1 prints each gradient tensor's difference too.
"""
import argparse
import importlib.util
import json
import os
import sys

import torch

_spec = importlib.util.spec_from_file_location('torch_peer', os.path.join(os.path.dirname(__file__), 'torch-peer.py'))
peer = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(peer)

# torch index c·49 + h·7 + w ← our index (h·7 + w)·128 + c, for the 7×7×128 map.
PERM = torch.tensor([(h * 7 + w) * 128 + c for c in range(128) for h in range(7) for w in range(7)])


def to_torch(name, x, net):
    """One of our tensors (by its tfjs weight name) in torch's layout."""
    if name.endswith('kernel') and ('conv2d_Conv2D' in name or 'conv2d_transpose' in name):
        return x.permute(3, 2, 0, 1)
    if name.startswith('dense') and name.endswith('kernel'):
        return x[:, PERM].t() if net == 'g' else x[PERM, :].t()
    if net == 'g' and x.dim() == 1 and x.numel() == PERM.numel():  # G's dense BatchNorm
        return x[PERM]
    return x


def floats(folder, file):
    with open(os.path.join(folder, file), 'rb') as f:
        return torch.frombuffer(bytearray(f.read()), dtype=torch.float32)


def read_list(folder, entry):
    """The tensors of one saved list, with the names and shapes the manifest gives them."""
    flat = floats(folder, entry['file'])
    out, at = [], 0
    for t in entry['tensors']:
        size = 1
        for s in t['shape']:
            size *= s
        out.append((t['name'], flat[at:at + size].view(t['shape'])))
        at += size
    return out


def split(flat, refs):
    """A flat gradient file → tensors shaped like `refs` (our weights, in order)."""
    out, at = [], 0
    for name, ref in refs:
        out.append((name, flat[at:at + ref.numel()].view(ref.shape)))
        at += ref.numel()
    return out


def slots(model):
    """torch's tensors in our weight order: parameters layer by layer, then the BatchNorm statistics."""
    return list(model.parameters()) + peer.bn_stats(model)


def rel(a, b):
    return ((a - b).norm() / b.norm().clamp_min(1e-30)).item()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('dir')
    ap.add_argument('--tolerance', type=float, default=1e-4)
    args = ap.parse_args()
    torch.set_num_threads(1)
    man = json.load(open(os.path.join(args.dir, 'manifest.json')))
    n, latent = man['batch'], man['latent']
    nets = peer.Nets(*peer.build('dcgan-28'), n, torch.device('cpu'))
    worst_all = 0.0
    print(f'dcgan-28, {len(man["steps"])} step(s) after {man["warm"]} uncompared; ‖torch − ours‖ / ‖ours‖:')
    for k, st in enumerate(man['steps']):
        before = {net: read_list(args.dir, st['before'][net]) for net in ('g', 'd', 'ema')}
        with torch.no_grad():
            for net, model in (('g', nets.g), ('d', nets.d), ('ema', nets.g_ema)):
                for slot, (name, x) in zip(slots(model), before[net]):
                    slot.copy_(to_torch(name, x, 'd' if net == 'd' else 'g'))
        for net, opt, params in (('g', nets.opt_g, nets.g_params), ('d', nets.opt_d, nets.d_params)):
            moments = dict(read_list(args.dir, st['adam'][net]))
            names = [name for name, _ in before[net]]
            opt.state.clear()
            if st['adam'][net]['step'] > 0:
                for i, p in enumerate(params):
                    m, v = (to_torch(names[i], moments[f'{kind}/{i}'], net).clone() for kind in ('m', 'v'))
                    opt.state[p] = {'step': torch.tensor(float(st['adam'][net]['step'])), 'exp_avg': m, 'exp_avg_sq': v}
        inputs = floats(args.dir, f'inputs-{k}.f32')
        px = n * 28 * 28
        real = inputs[:px].view(n, 28, 28, 1).permute(0, 3, 1, 2).contiguous()
        z_d, z_g = inputs[px:px + n * latent].view(n, latent), inputs[px + n * latent:].view(n, latent)
        stats, grads_d, grads_g = peer.train_step(nets, real, z_d, z_g, st['decay'])

        rows = []
        for net, grads in (('d', grads_d), ('g', grads_g)):
            flat = floats(args.dir, f'grads-{net}-{k}.f32')
            ours = split(flat, [(name, x) for name, x in before[net][:len(grads)]])
            per = [(rel(gr, to_torch(name, x, net)), name, x.norm().item()) for gr, (name, x) in zip(grads, ours)]
            if os.environ.get('STEP_CHECK_VERBOSE'):
                print('   ', net, [(f'{d:.1e}', name.split('/')[0][-8:] + '/' + name.split('/')[-1], f'{nm:.2e}') for d, name, nm in per])
            rows.append((f'grad {net.upper()}', max(d for d, _, _ in per)))
        variance = []
        for net, model in (('g', nets.g), ('d', nets.d), ('ema', nets.g_ema)):
            after = read_list(args.dir, st['after'][net])
            diffs = [(name, rel(slot.detach(), to_torch(name, x, 'd' if net == 'd' else 'g')))
                     for slot, (name, x) in zip(slots(model), after)]
            rows.append((f'{net.upper()} after', max([d for name, d in diffs if not name.endswith('moving_variance')] or [0.0])))
            variance += [d for name, d in diffs if name.endswith('moving_variance')]
        worst = max(d for _, d in rows)
        worst_all = max(worst_all, worst)
        print(f'  step {st["step"]}: ' + ', '.join(f'{label} {d:.1e}' for label, d in rows)
              + (f'; BN moving variance {max(variance):.1e} (biased vs unbiased)' if variance else ''))
        names = ['lossD', 'lossG', 'D(real)', 'D(fake)', '|grad D|', '|grad G|']
        print('    ours  ' + ' '.join(f'{a} {b:.6f}' for a, b in zip(names, st['stats'])))
        print('    torch ' + ' '.join(f'{a} {b:.6f}' for a, b in zip(names, stats)))
    verdict = 'the same step' if worst_all <= args.tolerance else 'NOT the same step'
    print(f'worst {worst_all:.1e} against tolerance {args.tolerance:g}: {verdict}')
    sys.exit(0 if worst_all <= args.tolerance else 1)


if __name__ == '__main__':
    main()
