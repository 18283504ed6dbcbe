import { CLIENT_ID_PATTERN } from '@presently/protocol';
import type { ClientIdStorage } from './types';

/** The storage key of the clientId. */
export const CLIENT_ID_KEY = 'presently.clientId';

/**
 * The clientId this browser sends at every handshake: the one given, else the
 * stored one, else none until the server assigns one (then it is stored).
 * Storage that throws (private modes, sandboxed frames) counts as none.
 */
export class ClientIdStore {
  private current: string | undefined;
  private readonly storage: ClientIdStorage | null;

  constructor(given: string | undefined, storage: ClientIdStorage | null | undefined) {
    this.storage = storage === undefined ? defaultStorage() : storage;
    this.current = valid(given) ?? valid(this.read());
  }

  get(): string | undefined {
    return this.current;
  }

  /** Keeps the clientId the server confirmed or assigned. */
  set(clientId: string): void {
    if (clientId === this.current) return;
    this.current = clientId;
    try {
      this.storage?.setItem(CLIENT_ID_KEY, clientId);
    } catch {
      // storage full or refused: the id lives as long as this client
    }
  }

  private read(): string | null {
    try {
      return this.storage?.getItem(CLIENT_ID_KEY) ?? null;
    } catch {
      return null;
    }
  }
}

function valid(clientId: string | null | undefined): string | undefined {
  return clientId && CLIENT_ID_PATTERN.test(clientId) ? clientId : undefined;
}

function defaultStorage(): ClientIdStorage | null {
  try {
    return (globalThis as { localStorage?: ClientIdStorage }).localStorage ?? null;
  } catch {
    return null;
  }
}
