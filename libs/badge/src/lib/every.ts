import { PAGE_EVERY_VALUES } from '@presently/protocol';

/** A badge asks for at most one count per 5 s unless told otherwise: a reader needs no more. */
export const BADGE_EVERY_MS = 5000;

/** The rate (`every`, ms) a badge's `every` attribute asks for: one of the protocol's, else the default. */
export function badgeEvery(value: string | null): number {
  const every = value !== null && /^\d+$/.test(value) ? Number(value) : NaN;
  return (PAGE_EVERY_VALUES as readonly number[]).includes(every) ? every : BADGE_EVERY_MS;
}
