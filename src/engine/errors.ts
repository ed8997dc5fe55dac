/**
 * Errors meant for the user: the message is one clear line that says what is
 * wrong and, where it can, what to do. The CLI prints these without a stack
 * trace; anything else is a bug and gets the full trace under --verbose.
 */
export class UserError extends Error {
  override name = 'UserError';
}
