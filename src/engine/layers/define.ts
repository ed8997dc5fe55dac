// One file on purpose: defineGanLayers ships via toString() as gan-layers.js, so it cannot import pieces.
/**
 * GAN Studio's custom tfjs layers, defined by ONE self-contained factory so the
 * very same code runs in Node (training, checkpoints) and in a browser (web
 * export): `defineGanLayers.toString()` is shipped as `gan-layers.js` (see
 * ./web.ts). So this function must not reference anything outside its body
 * (no imports, no module-level helpers): everything it needs comes from `tf`.
 *
 * Layers (class names as they appear in model.json):
 * - GanSpectralNorm   a Dense / Conv2D / Conv2DTranspose whose kernel is divided by
 *                     its largest singular value σ, estimated by power iteration with
 *                     a persistent vector u (a non-trainable weight, so it is saved
 *                     and restored with the model). One iteration per training-mode
 *                     call; inference uses the stored u without updating it.
 * - GanPixelNorm      x / sqrt(mean_c x² + 1e-8) (PGGAN).
 * - GanInstanceNorm   per image and channel over H, W; per-channel scale and shift.
 * - GanLayerNorm      per image over H, W, C; per-channel scale and shift.
 * - GanConditionalBatchNorm  batch norm whose scale and shift come from the one-hot
 *                     label (second input): γ = y·Γ, β = y·Β.
 * - GanDepthToSpace   pixel shuffle (block 2) by reshape + transpose, so it has a
 *                     gradient (tfjs 4.22 has none for DepthToSpace).
 * - GanNoiseDropout   dropout at training AND inference time (noise for G); seedable.
 * - GanMinibatchStd   PGGAN minibatch standard deviation channel.
 * - GanAvgPool2       2×2 average pooling by reshape + mean (differentiable twice).
 * - GanProjection     projection discriminator head: w·h + b + ⟨embed(y), h⟩. With
 *                     spectralNorm, w and the embedding are each divided by their σ
 *                     (persistent u vectors `kernel_u`, `embed_u`, as GanSpectralNorm).
 * - GanGLU            gated linear unit over channels: a · sigmoid(b), [a | b] = x (fastgan).
 * - GanQuarterCrop    one quarter (top-left, top-right, bottom-left, bottom-right) of a
 *                     feature map; which one is set per step (fastgan D's part decoder).
 */
import type * as tfType from '@tensorflow/tfjs';

type Tf = typeof tfType;
type Tensor = tfType.Tensor;
type Shape = tfType.Shape;
type Kwargs = { training?: boolean } & Record<string, unknown>;

export function defineGanLayers(tf: Tf) {
  const Layer = tf.layers.Layer;
  const asList = (x: Tensor | Tensor[]): Tensor[] => (Array.isArray(x) ? x : [x]);
  const first = (x: Tensor | Tensor[]): Tensor => (Array.isArray(x) ? x[0] : x);
  const firstShape = (s: Shape | Shape[]): Shape => (Array.isArray(s[0]) ? (s[0] as Shape) : (s as Shape));
  /** Identity forward, zero gradient: tfjs has no public stopGradient. */
  const stopGradient = tf.customGrad(((x: Tensor) => ({
    value: x.clone(),
    gradFunc: (dy: Tensor) => tf.zerosLike(dy),
  })) as never) as (x: Tensor) => Tensor;
  const l2normalize = (x: Tensor): Tensor => x.div(x.square().sum().add(1e-12).sqrt());

  /**
   * Spectral normalisation of a weight w (viewed as a [-1, cols] matrix, cols = its last
   * dimension) with the persistent vector u ([cols], a non-trainable weight): w / σ, σ ≈ ‖w u‖.
   * In training mode, one power-iteration step first, written back to u.
   */
  const spectralNormalize = (kernel: tfType.LayerVariable, uVar: tfType.LayerVariable, training: boolean): Tensor => {
    const w = kernel.read();
    const cols = w.shape[w.shape.length - 1];
    const mat = w.reshape([-1, cols]);
    let u = uVar.read().reshape([cols, 1]);
    if (training) {
      const next = tf.tidy(() => {
        const m = stopGradient(mat);
        const v = l2normalize(tf.matMul(m, u));
        return l2normalize(tf.matMul(m, v, true, false)).reshape([cols]);
      });
      uVar.write(next);
      // Read u back from its variable: a leaf of the gradient tape, so autodiff never walks back
      // through the power iteration (that would only propagate zeros, at the cost of extra matMuls).
      u = uVar.read().reshape([cols, 1]);
    }
    const sigma = tf.matMul(mat, stopGradient(u)).square().sum().add(1e-12).sqrt();
    return w.div(sigma);
  };

  /** σ of a weight for the stored u (no update). */
  const sigmaOf = (kernel: tfType.LayerVariable, uVar: tfType.LayerVariable): number =>
    tf.tidy(() => {
      const w = kernel.read();
      const cols = w.shape[w.shape.length - 1];
      return tf
        .matMul(w.reshape([-1, cols]), uVar.read().reshape([cols, 1]))
        .square()
        .sum()
        .sqrt()
        .dataSync()[0];
    });

  interface SnInner {
    className: 'Dense' | 'Conv2D' | 'Conv2DTranspose';
    config: {
      units?: number;
      filters?: number;
      kernelSize?: number | number[];
      strides?: number | number[];
      padding?: 'same' | 'valid';
      useBias?: boolean;
    };
  }

  class GanSpectralNorm extends Layer {
    static className = 'GanSpectralNorm';
    readonly inner: SnInner;
    readonly initStddev: number;
    readonly seed: number;
    kernel: tfType.LayerVariable | null = null;
    bias: tfType.LayerVariable | null = null;
    u: tfType.LayerVariable | null = null;

    constructor(args: { layer: SnInner; initStddev?: number; seed?: number } & Record<string, unknown>) {
      super(args as never);
      this.inner = args.layer;
      this.initStddev = args.initStddev ?? 0.02;
      this.seed = args.seed ?? 0;
    }

    private ints(v: number | number[] | undefined, dflt: number): [number, number] {
      if (v == null) return [dflt, dflt];
      return Array.isArray(v) ? [v[0], v[1] ?? v[0]] : [v, v];
    }

    private kernelShape(inputShape: Shape): number[] {
      const c = this.inner.config;
      const inDim = inputShape[inputShape.length - 1] as number;
      if (this.inner.className === 'Dense') return [inDim, c.units as number];
      const [kh, kw] = this.ints(c.kernelSize, 3);
      // Conv2DTranspose kernels are [kh, kw, out, in], as in tfjs.
      return this.inner.className === 'Conv2D'
        ? [kh, kw, inDim, c.filters as number]
        : [kh, kw, c.filters as number, inDim];
    }

    private outDim(): number {
      return (this.inner.className === 'Dense' ? this.inner.config.units : this.inner.config.filters) as number;
    }

    override build(inputShape: Shape | Shape[]): void {
      const shape = firstShape(inputShape);
      const ks = this.kernelShape(shape);
      this.kernel = this.addWeight(
        'kernel',
        ks,
        'float32',
        tf.initializers.randomNormal({ mean: 0, stddev: this.initStddev, seed: this.seed }),
      );
      if (this.inner.config.useBias !== false)
        this.bias = this.addWeight('bias', [this.outDim()], 'float32', tf.initializers.zeros());
      this.u = this.addWeight(
        'u',
        [ks[ks.length - 1]],
        'float32',
        tf.initializers.randomNormal({ mean: 0, stddev: 1, seed: this.seed + 1 }),
        undefined,
        false,
      );
      this.built = true;
    }

    /** The kernel divided by σ; in training mode, one power-iteration step first (u is updated). */
    normalizedKernel(training: boolean): Tensor {
      return spectralNormalize(this.kernel!, this.u!, training);
    }

    /** σ of the current kernel for the stored u (no update), for tests and diagnostics. */
    sigma(): number {
      return sigmaOf(this.kernel!, this.u!);
    }

    override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor {
      return tf.tidy(() => {
        const x = first(inputs);
        const k = this.normalizedKernel(kwargs.training === true);
        const c = this.inner.config;
        let y: Tensor;
        if (this.inner.className === 'Dense') {
          y = tf.matMul(x as tfType.Tensor2D, k as tfType.Tensor2D);
        } else {
          const strides = this.ints(c.strides, 1);
          const padding = c.padding ?? 'valid';
          if (this.inner.className === 'Conv2D') {
            y = tf.conv2d(x as tfType.Tensor4D, k as tfType.Tensor4D, strides, padding);
          } else {
            const [, h, w2] = x.shape as number[];
            const [kh, kw] = this.ints(c.kernelSize, 3);
            const oh = padding === 'same' ? h * strides[0] : (h - 1) * strides[0] + kh;
            const ow = padding === 'same' ? w2 * strides[1] : (w2 - 1) * strides[1] + kw;
            y = tf.conv2dTranspose(
              x as tfType.Tensor4D,
              k as tfType.Tensor4D,
              [x.shape[0], oh, ow, c.filters as number],
              strides,
              padding,
            );
          }
        }
        return this.bias ? y.add(this.bias.read()) : y;
      });
    }

    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      const s = firstShape(inputShape);
      const c = this.inner.config;
      if (this.inner.className === 'Dense') return [...s.slice(0, -1), c.units as number];
      const [sh, sw] = this.ints(c.strides, 1);
      const [kh, kw] = this.ints(c.kernelSize, 3);
      const same = (c.padding ?? 'valid') === 'same';
      const dim = (n: number | null, st: number, k: number): number | null => {
        if (n == null) return null;
        if (this.inner.className === 'Conv2D') return same ? Math.ceil(n / st) : Math.ceil((n - k + 1) / st);
        return same ? n * st : (n - 1) * st + k;
      };
      return [s[0], dim(s[1], sh, kh), dim(s[2], sw, kw), c.filters as number];
    }

    override getConfig(): tfType.serialization.ConfigDict {
      return {
        ...super.getConfig(),
        layer: this.inner as unknown as tfType.serialization.ConfigDict,
        initStddev: this.initStddev,
        seed: this.seed,
      };
    }
  }

  class GanPixelNorm extends Layer {
    static className = 'GanPixelNorm';
    constructor(args: Record<string, unknown> = {}) {
      super(args as never);
    }
    override call(inputs: Tensor | Tensor[]): Tensor {
      return tf.tidy(() => {
        const x = first(inputs);
        return x.mul(x.square().mean(-1, true).add(1e-8).rsqrt());
      });
    }
    override computeOutputShape(s: Shape | Shape[]): Shape {
      return firstShape(s);
    }
  }

  /** Shared by instance and layer norm: normalise over `axes`, then a per-channel affine. */
  class AffineNorm extends Layer {
    gamma: tfType.LayerVariable | null = null;
    beta: tfType.LayerVariable | null = null;
    readonly epsilon: number;
    constructor(args: { epsilon?: number } & Record<string, unknown> = {}) {
      super(args as never);
      this.epsilon = args.epsilon ?? 1e-5;
    }
    override build(inputShape: Shape | Shape[]): void {
      const s = firstShape(inputShape);
      const c = s[s.length - 1] as number;
      this.gamma = this.addWeight('gamma', [c], 'float32', tf.initializers.ones());
      this.beta = this.addWeight('beta', [c], 'float32', tf.initializers.zeros());
      this.built = true;
    }
    protected axes(rank: number): number[] {
      return Array.from({ length: rank - 1 }, (_, i) => i + 1);
    }
    override call(inputs: Tensor | Tensor[]): Tensor {
      return tf.tidy(() => {
        const x = first(inputs);
        const { mean, variance } = tf.moments(x, this.axes(x.rank), true);
        return x.sub(mean).mul(variance.add(this.epsilon).rsqrt()).mul(this.gamma!.read()).add(this.beta!.read());
      });
    }
    override computeOutputShape(s: Shape | Shape[]): Shape {
      return firstShape(s);
    }
    override getConfig(): tfType.serialization.ConfigDict {
      return { ...super.getConfig(), epsilon: this.epsilon };
    }
  }

  class GanLayerNorm extends AffineNorm {
    static className = 'GanLayerNorm';
  }

  class GanInstanceNorm extends AffineNorm {
    static className = 'GanInstanceNorm';
    protected override axes(rank: number): number[] {
      // Spatial axes of NHWC; on [N, F] features there is nothing spatial, so it acts as layer norm.
      return rank === 4 ? [1, 2] : Array.from({ length: rank - 1 }, (_, i) => i + 1);
    }
  }

  class GanConditionalBatchNorm extends Layer {
    static className = 'GanConditionalBatchNorm';
    readonly momentum: number;
    readonly epsilon: number;
    readonly seed: number;
    gammaEmbed: tfType.LayerVariable | null = null;
    betaEmbed: tfType.LayerVariable | null = null;
    movingMean: tfType.LayerVariable | null = null;
    movingVariance: tfType.LayerVariable | null = null;
    constructor(args: { momentum?: number; epsilon?: number; seed?: number } & Record<string, unknown> = {}) {
      super(args as never);
      this.momentum = args.momentum ?? 0.9;
      this.epsilon = args.epsilon ?? 1e-5;
      this.seed = args.seed ?? 0;
    }
    override build(inputShape: Shape | Shape[]): void {
      const [xs, ys] = inputShape as Shape[];
      const c = xs[xs.length - 1] as number;
      const k = ys[ys.length - 1] as number;
      this.gammaEmbed = this.addWeight(
        'gamma_embed',
        [k, c],
        'float32',
        tf.initializers.randomNormal({ mean: 1, stddev: 0.02, seed: this.seed }),
      );
      this.betaEmbed = this.addWeight('beta_embed', [k, c], 'float32', tf.initializers.zeros());
      this.movingMean = this.addWeight('moving_mean', [c], 'float32', tf.initializers.zeros(), undefined, false);
      this.movingVariance = this.addWeight('moving_variance', [c], 'float32', tf.initializers.ones(), undefined, false);
      this.built = true;
    }
    override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor {
      return tf.tidy(() => {
        const [x, y] = asList(inputs);
        const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
        let mean: Tensor;
        let variance: Tensor;
        if (kwargs.training === true) {
          const m = tf.moments(x, axes);
          mean = m.mean;
          variance = m.variance;
          const mm = this.movingMean!;
          const mv = this.movingVariance!;
          const newMean = tf.tidy(() =>
            mm
              .read()
              .mul(this.momentum)
              .add(stopGradient(mean).mul(1 - this.momentum)),
          );
          const newVar = tf.tidy(() =>
            mv
              .read()
              .mul(this.momentum)
              .add(stopGradient(variance).mul(1 - this.momentum)),
          );
          mm.write(newMean);
          mv.write(newVar);
        } else {
          mean = this.movingMean!.read();
          variance = this.movingVariance!.read();
        }
        const c = x.shape[x.rank - 1];
        const bshape = [x.shape[0], ...Array.from({ length: x.rank - 2 }, () => 1), c];
        const gamma = tf.matMul(y as tfType.Tensor2D, this.gammaEmbed!.read() as tfType.Tensor2D).reshape(bshape);
        const beta = tf.matMul(y as tfType.Tensor2D, this.betaEmbed!.read() as tfType.Tensor2D).reshape(bshape);
        return x.sub(mean).mul(variance.add(this.epsilon).rsqrt()).mul(gamma).add(beta);
      });
    }
    override computeOutputShape(s: Shape | Shape[]): Shape {
      return firstShape(s);
    }
    override getConfig(): tfType.serialization.ConfigDict {
      return { ...super.getConfig(), momentum: this.momentum, epsilon: this.epsilon, seed: this.seed };
    }
  }

  class GanDepthToSpace extends Layer {
    static className = 'GanDepthToSpace';
    readonly blockSize: number;
    constructor(args: { blockSize?: number } & Record<string, unknown> = {}) {
      super(args as never);
      this.blockSize = args.blockSize ?? 2;
    }
    override call(inputs: Tensor | Tensor[]): Tensor {
      return tf.tidy(() => {
        const x = first(inputs);
        const [n, h, w, cr] = x.shape as number[];
        const r = this.blockSize;
        const c = cr / (r * r);
        // out[n, h·r+i, w·r+j, c] = in[n, h, w, (i·r + j)·C + c], as tf.depthToSpace (NHWC, DCR).
        return x
          .reshape([n, h, w, r, r, c])
          .transpose([0, 1, 3, 2, 4, 5])
          .reshape([n, h * r, w * r, c]);
      });
    }
    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      const [n, h, w, c] = firstShape(inputShape);
      const r = this.blockSize;
      return [n, h == null ? null : h * r, w == null ? null : w * r, (c as number) / (r * r)];
    }
    override getConfig(): tfType.serialization.ConfigDict {
      return { ...super.getConfig(), blockSize: this.blockSize };
    }
  }

  class GanNoiseDropout extends Layer {
    static className = 'GanNoiseDropout';
    readonly rate: number;
    /**
     * Seed of the next mask. A number seeds the whole batch's mask (training);
     * a list gives each image its own seed, so an image's noise does not
     * depend on the batch it is drawn in (generation: see generate/seed-rule.ts);
     * null: an unseeded draw (different every call). Not serialised.
     */
    noiseSeed: number | number[] | null = null;
    constructor(args: { rate?: number } & Record<string, unknown> = {}) {
      super(args as never);
      this.rate = args.rate ?? 0.5;
    }
    override call(inputs: Tensor | Tensor[]): Tensor {
      return tf.tidy(() => {
        const x = first(inputs);
        if (this.rate <= 0) return x.clone();
        const seeds = this.noiseSeed;
        let u: Tensor;
        if (Array.isArray(seeds)) {
          if (seeds.length !== x.shape[0])
            throw new Error(`GanNoiseDropout: ${seeds.length} noise seeds for a batch of ${x.shape[0]}`);
          const one = [1, ...x.shape.slice(1)];
          u = tf.concat(
            seeds.map((s) => tf.randomUniform(one, 0, 1, 'float32', s)),
            0,
          );
        } else {
          u = seeds == null ? tf.randomUniform(x.shape) : tf.randomUniform(x.shape, 0, 1, 'float32', seeds);
        }
        const keep = u
          .greaterEqual(this.rate)
          .cast('float32')
          .div(1 - this.rate);
        return x.mul(keep);
      });
    }
    override computeOutputShape(s: Shape | Shape[]): Shape {
      return firstShape(s);
    }
    override getConfig(): tfType.serialization.ConfigDict {
      return { ...super.getConfig(), rate: this.rate };
    }
  }

  class GanMinibatchStd extends Layer {
    static className = 'GanMinibatchStd';
    readonly groupSize: number;
    constructor(args: { groupSize?: number } & Record<string, unknown> = {}) {
      super(args as never);
      this.groupSize = args.groupSize ?? 4;
    }
    override call(inputs: Tensor | Tensor[]): Tensor {
      return tf.tidy(() => {
        const x = first(inputs);
        const [n, h, w, c] = x.shape as number[];
        const g = Math.min(this.groupSize, n);
        if (n % g !== 0) throw new Error(`GanMinibatchStd: batch ${n} is not a multiple of the group size ${g}`);
        const m = n / g;
        // Sample k = gi·m + mi belongs to group column mi; each column's std is averaged over H, W, C.
        // The group axis is moved innermost before reducing: tfjs-wasm 4.22 can return stale values for a
        // reduction over a leading axis of a reshaped buffer that was reduced before with another shape.
        const y = x.reshape([g, m, h, w, c]).transpose([1, 2, 3, 4, 0]); // [m, h, w, c, g]
        const centred = y.sub(y.mean(-1, true));
        const std = centred.square().mean(-1).add(1e-8).sqrt(); // [m, h, w, c]
        const s = std.mean([1, 2, 3]); // [m]
        const maps = s
          .reshape([1, m, 1, 1])
          .tile([g, 1, h * w, 1])
          .reshape([n, h, w, 1]);
        return tf.concat([x, maps], 3);
      });
    }
    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      const s = firstShape(inputShape);
      return [...s.slice(0, -1), (s[s.length - 1] as number) + 1];
    }
    override getConfig(): tfType.serialization.ConfigDict {
      return { ...super.getConfig(), groupSize: this.groupSize };
    }
  }

  class GanAvgPool2 extends Layer {
    static className = 'GanAvgPool2';
    constructor(args: Record<string, unknown> = {}) {
      super(args as never);
    }
    override call(inputs: Tensor | Tensor[]): Tensor {
      return tf.tidy(() => {
        const x = first(inputs);
        const [n, h, w, c] = x.shape as number[];
        return x.reshape([n, h / 2, 2, w / 2, 2, c]).mean([2, 4]);
      });
    }
    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      const [n, h, w, c] = firstShape(inputShape);
      return [n, h == null ? null : h / 2, w == null ? null : w / 2, c];
    }
  }

  class GanProjection extends Layer {
    static className = 'GanProjection';
    readonly seed: number;
    /** Spectral-normalise the linear output weights and the class embedding (SNGAN's projection D). */
    readonly spectralNorm: boolean;
    kernel: tfType.LayerVariable | null = null;
    bias: tfType.LayerVariable | null = null;
    embed: tfType.LayerVariable | null = null;
    kernelU: tfType.LayerVariable | null = null;
    embedU: tfType.LayerVariable | null = null;
    constructor(args: { seed?: number; spectralNorm?: boolean } & Record<string, unknown> = {}) {
      super(args as never);
      this.seed = args.seed ?? 0;
      this.spectralNorm = args.spectralNorm ?? false;
    }
    override build(inputShape: Shape | Shape[]): void {
      const [hs, ys] = inputShape as Shape[];
      const f = hs[hs.length - 1] as number;
      const k = ys[ys.length - 1] as number;
      this.kernel = this.addWeight(
        'kernel',
        [f, 1],
        'float32',
        tf.initializers.randomNormal({ mean: 0, stddev: 0.02, seed: this.seed }),
      );
      this.bias = this.addWeight('bias', [1], 'float32', tf.initializers.zeros());
      this.embed = this.addWeight(
        'embed',
        [k, f],
        'float32',
        tf.initializers.randomNormal({ mean: 0, stddev: 0.02, seed: this.seed + 1 }),
      );
      if (this.spectralNorm) {
        // Power-iteration vectors (size = the weight's last dimension), saved and restored with the model.
        this.kernelU = this.addWeight(
          'kernel_u',
          [1],
          'float32',
          tf.initializers.randomNormal({ mean: 0, stddev: 1, seed: this.seed + 2 }),
          undefined,
          false,
        );
        this.embedU = this.addWeight(
          'embed_u',
          [f],
          'float32',
          tf.initializers.randomNormal({ mean: 0, stddev: 1, seed: this.seed + 3 }),
          undefined,
          false,
        );
      }
      this.built = true;
    }
    /** The output weights [f, 1], divided by σ when spectral-normalised (training: u updated first). */
    normalizedKernel(training: boolean): Tensor {
      return this.spectralNorm ? spectralNormalize(this.kernel!, this.kernelU!, training) : this.kernel!.read();
    }
    /** The class embedding [k, f], divided by σ when spectral-normalised (training: u updated first). */
    normalizedEmbed(training: boolean): Tensor {
      return this.spectralNorm ? spectralNormalize(this.embed!, this.embedU!, training) : this.embed!.read();
    }
    override call(inputs: Tensor | Tensor[], kwargs: Kwargs = {}): Tensor {
      return tf.tidy(() => {
        const [h, y] = asList(inputs) as tfType.Tensor2D[];
        const training = kwargs.training === true;
        const e = tf.matMul(y, this.normalizedEmbed(training) as tfType.Tensor2D);
        return tf
          .matMul(h, this.normalizedKernel(training) as tfType.Tensor2D)
          .add(this.bias!.read())
          .add(h.mul(e).sum(-1, true));
      });
    }
    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      return [(inputShape as Shape[])[0][0], 1];
    }
    override getConfig(): tfType.serialization.ConfigDict {
      return { ...super.getConfig(), seed: this.seed, spectralNorm: this.spectralNorm };
    }
  }

  class GanGLU extends Layer {
    static className = 'GanGLU';
    constructor(args: Record<string, unknown> = {}) {
      super(args as never);
    }
    override call(inputs: Tensor | Tensor[]): Tensor {
      return tf.tidy(() => {
        const x = first(inputs);
        const c = x.shape[x.shape.length - 1] as number;
        const [a, b] = tf.split(x, [c / 2, c / 2], -1);
        return a.mul(tf.sigmoid(b));
      });
    }
    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      const s = firstShape(inputShape);
      return [...s.slice(0, -1), (s[s.length - 1] as number) / 2];
    }
  }

  class GanQuarterCrop extends Layer {
    static className = 'GanQuarterCrop';
    /** 0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right. Training state set before each step, not serialised. */
    quarter = 0;
    constructor(args: Record<string, unknown> = {}) {
      super(args as never);
    }
    override call(inputs: Tensor | Tensor[]): Tensor {
      return tf.tidy(() => {
        const x = first(inputs);
        const [n, h, w, c] = x.shape as number[];
        const q = this.quarter;
        return x.slice([0, (q >> 1) * (h / 2), (q & 1) * (w / 2), 0], [n, h / 2, w / 2, c]);
      });
    }
    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      const [n, h, w, c] = firstShape(inputShape);
      return [n, h == null ? null : h / 2, w == null ? null : w / 2, c];
    }
  }

  const classes = {
    GanSpectralNorm,
    GanPixelNorm,
    GanInstanceNorm,
    GanLayerNorm,
    GanConditionalBatchNorm,
    GanDepthToSpace,
    GanNoiseDropout,
    GanMinibatchStd,
    GanAvgPool2,
    GanProjection,
    GanGLU,
    GanQuarterCrop,
  };
  for (const cls of Object.values(classes))
    tf.serialization.registerClass(
      cls as unknown as tfType.serialization.SerializableConstructor<tfType.serialization.Serializable>,
    );
  return classes;
}
