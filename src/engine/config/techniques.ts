/**
 * What a config means once its 'auto' values are resolved: the concrete
 * architecture of G and D, the optimizers, the penalty. And the warnings a
 * config deserves (it is valid, but probably not what the user wants); the
 * combinations that cannot work are rejected by the schema itself
 * (configConflicts in shared/config.ts).
 */
import { effectivePenalty, type TrainConfig } from '../../shared/config';
import { UserError } from '../errors';
import {
  defaultDArch,
  defaultGArch,
  type ConditionalArch,
  type DArch,
  type GArch,
  type ModelSpec,
} from '../models/dcgan';

export type ConcreteOptimizer = 'adam' | 'rmsprop' | 'sgd';

export function optimizerOf(config: TrainConfig, net: 'g' | 'd'): ConcreteOptimizer {
  const o = config[net].optimizer;
  if (o !== 'auto') return o;
  return config.loss === 'wgan' ? 'rmsprop' : 'adam';
}

function gArchOf(config: TrainConfig): GArch {
  const base = defaultGArch(config.model.arch);
  const g = config.g;
  return {
    norm: g.norm === 'auto' ? base.norm : g.norm,
    activation: g.activation === 'auto' ? base.activation : g.activation,
    leakySlope: g.leakySlope,
    upsample: g.upsample,
    kernelSize: g.kernelSize,
    spectralNorm: g.spectralNorm,
    dropout: g.dropout,
    tanhOutput: g.tanhOutput,
    init: g.init,
  };
}

export function dArchOf(config: TrainConfig): DArch {
  const base = defaultDArch(config.model.arch);
  const d = config.d;
  let norm = d.norm === 'auto' ? base.norm : d.norm;
  // A per-sample gradient penalty and batch norm do not mix; 'auto' moves to layer norm (see configWarnings).
  if (d.norm === 'auto' && norm === 'batch' && effectivePenalty(config) !== 'none') norm = 'layer';
  return {
    norm,
    activation: d.activation,
    leakySlope: d.leakySlope,
    downsample: d.downsample,
    kernelSize: d.kernelSize,
    spectralNorm: d.spectralNorm,
    minibatchStd: d.minibatchStd,
    minibatchGroup: d.minibatchGroup,
    init: d.init,
  };
}

function conditionalOf(config: TrainConfig): ConditionalArch | null {
  const c = config.conditional;
  if (!c.enabled) return null;
  if (c.numClasses < 2)
    throw new Error('conditional.numClasses is not set: call withDataClasses(config, data) before building the models');
  return { numClasses: c.numClasses, embedDim: c.embedDim, discriminator: c.discriminator, batchNorm: c.batchNorm };
}

/** The full model spec of a config. */
export function modelSpecOf(config: TrainConfig): ModelSpec {
  const { arch, resolution, channels, latentDim, baseWidth } = config.model;
  return {
    arch,
    resolution,
    channels,
    latentDim,
    baseWidth,
    g: gArchOf(config),
    d: dArchOf(config),
    conditional: conditionalOf(config),
  };
}

/**
 * A conditional config with numClasses 0 gets the data set's class count.
 * Fails clearly when the data has fewer than 2 classes or a count that differs.
 */
export function withDataClasses(config: TrainConfig, data: { classNames?: string[] }): TrainConfig {
  if (!config.conditional.enabled) return config;
  const found = data.classNames?.length ?? 0;
  if (config.conditional.numClasses === 0) {
    if (found < 2) {
      throw new UserError(
        `conditional.enabled needs a data set with at least 2 class subfolders; this one has ${found}. Put each class's images in its own subfolder, or set conditional.enabled=false.`,
      );
    }
    return { ...config, conditional: { ...config.conditional, numClasses: found } };
  }
  if (found > 0 && found !== config.conditional.numClasses) {
    throw new UserError(
      `conditional.numClasses is ${config.conditional.numClasses} but the data set has ${found} classes.`,
    );
  }
  return config;
}

/** Warnings for a valid config: combinations that run but usually train badly. For the CLI and the studio to show. */
export function configWarnings(config: TrainConfig): string[] {
  const out: string[] = [];
  const penalty = effectivePenalty(config);
  for (const net of ['g', 'd'] as const) {
    const opt = optimizerOf(config, net);
    if (opt === 'sgd')
      out.push(
        `${net}.optimizer=sgd: plain SGD is unstable for GANs (it circles the saddle point instead of settling); Adam or RMSProp are the usual choices.`,
      );
    if (config.loss === 'wgan' && opt === 'adam') {
      out.push(
        `loss=wgan with ${net}.optimizer=adam: weight clipping with a momentum optimizer is unstable (Arjovsky et al. use RMSProp); set ${net}.optimizer=rmsprop or auto, or use loss=wgan-gp.`,
      );
    }
  }
  if (config.d.norm === 'auto' && defaultDArch(config.model.arch).norm === 'batch' && penalty !== 'none') {
    out.push(
      `d.norm=auto uses layer norm instead of batch norm because a gradient penalty (${penalty}) is on: the penalty is per-sample, and batch norm couples the samples of a batch.`,
    );
  }
  if (config.loss === 'wgan' && config.d.lr > 1e-4) {
    out.push(
      `loss=wgan with d.lr=${config.d.lr}: the WGAN paper uses 0.00005 with weight clipping; large rates make the critic oscillate.`,
    );
  }
  if ((config.loss === 'wgan' || config.loss === 'wgan-gp') && config.dSteps === 1) {
    out.push(
      `loss=${config.loss} with dSteps=1: Wasserstein critics are usually trained several times per G update (dSteps=5).`,
    );
  }
  // fastgan's D is regularised by its reconstruction loss instead (Liu et al. 2021).
  if (config.loss === 'hinge' && !config.d.spectralNorm && penalty === 'none' && config.model.arch !== 'fastgan') {
    out.push(
      'loss=hinge without d.spectralNorm or a penalty: the hinge loss is meant for a Lipschitz-constrained D (SNGAN); set d.spectralNorm=true.',
    );
  }
  if (config.d.spectralNorm && dArchOf(config).norm === 'batch') {
    out.push('d.spectralNorm with batch norm in D: batch norm undoes the Lipschitz bound; SNGAN uses d.norm=none.');
  }
  if (
    config.augment.ada &&
    config.augment.adaSpeed >= 100_000 &&
    config.steps * config.batchSize * config.dSteps < config.augment.adaSpeed / 10
  ) {
    out.push(
      `augment.adaSpeed=${config.augment.adaSpeed} images is long for a run of ${config.steps * config.batchSize * config.dSteps} real images: the augmentation probability will barely move.`,
    );
  }
  return out;
}
