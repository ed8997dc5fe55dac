/** GAN Studio's own version (package.json), recorded in the run folders it makes. */
import packageJson from '../../package.json';

export const GAN_STUDIO_VERSION: string = packageJson.version;
