/** Commander option parsers that fail with a line naming the flag. */
import { InvalidArgumentError } from 'commander';

export function integer(flag: string, min = 0): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) {
      throw new InvalidArgumentError(`${flag} needs a whole number${min > 0 ? ` ≥ ${min}` : ''}, got "${value}".`);
    }
    return n;
  };
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function decimal(flag: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${flag} needs a number from ${min} to ${max}, got "${value}".`);
    }
    return n;
  };
}
