import { PAGE_EVERY_VALUES } from '@presently/protocol';
import { keySchema, validate } from '@presently/protocol/validation';
import { badRequest } from './http-error';

/** A page or room key from a query parameter; missing or invalid: 400 `BAD_REQUEST`. */
export function queryKey(name: string, value: unknown): string {
  if (value === undefined) throw badRequest(`${name} is required`);
  const result = validate(keySchema, value);
  if (!result.ok) throw badRequest(`${name}: ${result.error.message}`);
  return result.value;
}

/**
 * The rate (`every`, ms) a stream's reader chose, one of `PAGE_EVERY_VALUES`
 * written as a plain decimal; absent: undefined; anything else: 400 `BAD_REQUEST`.
 */
export function queryEvery(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const every = typeof value === 'string' && /^(0|[1-9][0-9]*)$/.test(value) ? Number(value) : NaN;
  if (!(PAGE_EVERY_VALUES as readonly number[]).includes(every)) throw badRequest(`every: must be one of ${PAGE_EVERY_VALUES.join(', ')}`);
  return every;
}
