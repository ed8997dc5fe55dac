/**
 * Hands out batches of dataset indices: a fresh shuffle each epoch, batches
 * that run across epoch ends. Its state is two integers, because the order of
 * epoch e is rebuilt from (seed, e), so a resumed run sees the same batches.
 */
import { Rng, deriveSeed } from '../rng';

export interface SamplerState {
  epoch: number;
  position: number;
}

export class BatchSampler {
  private order: Uint32Array;
  private epoch: number;
  private position: number;

  constructor(
    private readonly count: number,
    private readonly seed: number,
    state: SamplerState = { epoch: 0, position: 0 },
  ) {
    if (!Number.isInteger(count) || count < 1)
      throw new RangeError(`dataset size must be a positive integer, got ${count}`);
    if (state.position < 0 || state.position > count)
      throw new RangeError(`data cursor ${state.position} is outside a dataset of ${count}`);
    this.epoch = state.epoch;
    this.position = state.position;
    this.order = this.shuffle(this.epoch);
  }

  get state(): SamplerState {
    return { epoch: this.epoch, position: this.position };
  }

  next(batchSize: number): Uint32Array {
    const out = new Uint32Array(batchSize);
    for (let i = 0; i < batchSize; i++) {
      if (this.position === this.count) {
        this.epoch += 1;
        this.position = 0;
        this.order = this.shuffle(this.epoch);
      }
      out[i] = this.order[this.position++];
    }
    return out;
  }

  private shuffle(epoch: number): Uint32Array {
    return new Rng(deriveSeed(this.seed, `data/epoch/${epoch}`)).permutation(this.count);
  }
}
