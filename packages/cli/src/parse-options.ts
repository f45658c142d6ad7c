import { InvalidArgumentError } from 'commander';

/** Commander parser for an integer option such as `--axis -1`. */
export function parseInteger(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n)) throw new InvalidArgumentError('Expected an integer.');
  return n;
}

/** Commander parser for a number option; range checks are left to the library, which names the option. */
export function parseNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || Number.isNaN(n)) throw new InvalidArgumentError('Expected a number.');
  return n;
}

/** Commander parser for `--only a,b` (repeatable: `--only a --only b` accumulates). */
export function parseList(value: string, previous: string[] | undefined): string[] {
  const items = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) throw new InvalidArgumentError('Expected a comma-separated list of names.');
  return [...(previous ?? []), ...items];
}
