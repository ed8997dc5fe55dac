/** The technique-heavy config the WebGPU tests train besides plain dcgan-28: 16×16 gray dcgan-conv, spectral norm and R1 in D, full DiffAugment. */
export const SN_R1_DIFFAUGMENT = [
  'model.arch=dcgan-conv',
  'model.resolution=16',
  'model.channels=1',
  'd.spectralNorm=true',
  'd.norm=none',
  'penalty.type=r1',
  'augment.translation=true',
  'augment.cutout=true',
  'augment.color=true',
];
