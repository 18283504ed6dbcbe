import { ErrorCodes, type ErrorBody } from '@presently/protocol';
import type { Identity } from './types';

const PRIVATE_PREFIX = 'private:';
const ROLE_PREFIX = 'role:';

/**
 * The room rules: `private:*` needs an authenticated user, `role:<r>` and
 * `role:<r>:*` the role `r`; every other room is public.
 */
export function checkRoomAccess(room: string, identity: Pick<Identity, 'authenticated' | 'roles'>): ErrorBody | null {
  if (room.startsWith(PRIVATE_PREFIX) && !identity.authenticated) {
    return { code: ErrorCodes.Forbidden, message: 'private rooms need a signed-in user' };
  }
  if (room.startsWith(ROLE_PREFIX)) {
    const rest = room.slice(ROLE_PREFIX.length);
    const end = rest.indexOf(':');
    const role = end < 0 ? rest : rest.slice(0, end);
    if (!identity.roles.includes(role)) {
      return { code: ErrorCodes.Forbidden, message: `this room needs the role "${role}"` };
    }
  }
  return null;
}
