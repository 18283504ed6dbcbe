import { keySchema, validate } from '@presently/protocol/validation';
import { badRequest } from './http-error';

/** A page or room key from a query parameter; missing or invalid: 400 `BAD_REQUEST`. */
export function queryKey(name: string, value: unknown): string {
  if (value === undefined) throw badRequest(`${name} is required`);
  const result = validate(keySchema, value);
  if (!result.ok) throw badRequest(`${name}: ${result.error.message}`);
  return result.value;
}
