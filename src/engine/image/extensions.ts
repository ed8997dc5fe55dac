/**
 * File extensions the studio counts and lists as images (folder browser,
 * dataset previews). The import itself does not go by name: it decodes every
 * file and reports what it could not read.
 */
export const IMAGE_EXTENSIONS = [
  '.png',
  '.jpg',
  '.jpeg',
  '.jfif',
  '.webp',
  '.gif',
  '.tif',
  '.tiff',
  '.avif',
  '.heic',
  '.heif',
  '.bmp',
  '.svg',
] as const;

const EXTENSION_SET: ReadonlySet<string> = new Set(IMAGE_EXTENSIONS);

/** True when a file name (or path) ends in an image extension, in any case. */
export function hasImageExtension(name: string): boolean {
  const dot = name.lastIndexOf('.');
  return dot >= 0 && EXTENSION_SET.has(name.slice(dot).toLowerCase());
}
