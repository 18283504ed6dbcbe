import type { ActivityState } from '@presently/protocol';
import { AccountedKeys } from './accounted-keys';
import { INITIAL_ACTIVITY } from './activity';
import type { Account } from './address-budget';
import type { TimerHandle } from './clock';
import type { Identity, LedgerMember } from './types';

/** What room access is checked against: the identity, until its token expires. */
export type RoomAccess = Pick<Identity, 'authenticated' | 'roles'>;

/** Room access once a token expired: an anonymous visitor's. */
export const NO_CREDENTIALS: RoomAccess = { authenticated: false, roles: [] };

/**
 * One connection (a socket or a stream), live or held after its disconnect,
 * with what it is on, watches and joined: each part of the registry keeps its
 * own figures, and a connection's sets say which of them it is part of.
 * Its sets charge what they hold to its address's {@link Account}.
 */
export interface Connection {
  readonly id: string;
  /** Who it is; a live connection may change it (`session:token`), keeping its clientId. */
  identity: Identity;
  /** False for a crawler: it may enter and watch pages, but no figure counts it. */
  readonly counted: boolean;
  /** Rooms count users: one key per user, apart for anonymous visitors; follows `identity`. */
  userKey: string;
  access: RoomAccess;
  /** What the connection makes the server hold, charged to its address. */
  readonly account: Account;
  readonly pages: AccountedKeys;
  readonly watched: AccountedKeys;
  /** Rooms joined; each also carries its profile's charge, and as its note the name the connection last gave there. */
  readonly rooms: AccountedKeys;
  watchingStats: boolean;
  /** What its client last reported (`active` until then); a held connection keeps it. */
  activity: ActivityState;
  /** The grace timer while the connection is held after a disconnect. */
  held: TimerHandle | null;
  /** When a held connection disconnected (epoch ms): the last moment it was present. */
  heldSince: number;
}

export function createConnection(id: string, identity: Identity, counted: boolean, account: Account): Connection {
  return {
    id,
    identity,
    counted,
    userKey: userKeyOf(identity),
    access: identity,
    account,
    pages: new AccountedKeys(account),
    watched: new AccountedKeys(account),
    rooms: new AccountedKeys(account),
    watchingStats: false,
    activity: INITIAL_ACTIVITY,
    held: null,
    heldSince: 0,
  };
}

/**
 * A room member's key: one per user, `u:<userId>`, or `a:<userId>` for an
 * anonymous visitor (its public id, one per clientId: never the clientId
 * itself, which is that browser's credential).
 */
export function userKeyOf(identity: Pick<Identity, 'authenticated' | 'userId'>): string {
  return `${identity.authenticated ? 'u' : 'a'}:${identity.userId}`;
}

/** Who a connection's contributions belong to, as the ledger needs it. */
export function ledgerMemberOf(conn: Connection): LedgerMember {
  return {
    clientId: conn.identity.clientId,
    userKey: conn.userKey,
    userId: conn.identity.userId,
    tokenName: conn.identity.authenticated ? (conn.identity.name ?? conn.identity.userId) : null,
    activity: conn.activity,
  };
}
