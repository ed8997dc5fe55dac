// The GPU kit benchmarks training only; image files (sharp, a native addon) are not in it.
export default function sharp() {
  throw new Error('sharp is not part of the GPU benchmark kit');
}
