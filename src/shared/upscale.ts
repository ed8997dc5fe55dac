/**
 * How generated images are enlarged for saving: `nearest` keeps the
 * generator's pixels as crisp squares (pixel art, inspecting samples);
 * `lanczos` (sharp's lanczos3 kernel) resamples smoothly, for prints and
 * animations where the pixel grid should not show.
 */
export const UPSCALE_FILTERS = ['nearest', 'lanczos'] as const;
export type UpscaleFilter = (typeof UPSCALE_FILTERS)[number];
