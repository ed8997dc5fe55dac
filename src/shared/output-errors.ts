/**
 * The error name of an output refused because it would replace existing
 * files (a file of that name, or a chosen folder that holds files). The page
 * asks "Replace …?" and retries with `overwrite: true`. Zod-free, so the
 * renderer can import it.
 */
export const OUTPUT_EXISTS_ERROR = 'OutputExistsError';
