import { CLIENT_ID_PATTERN } from '@presently/protocol';

/** Where the browser's clientId is kept, shared by every tab of the site's origin. */
export const CLIENT_ID_KEY = 'presently.clientId';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Kept here when storage is unavailable (blocked cookies, sandboxed frames): one id per page then. */
let memory: string | null = null;

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** A new clientId: 22 characters of `[A-Za-z0-9_-]`, 132 random bits. */
export function newClientId(): string {
  const bytes = new Uint8Array(22);
  if (typeof crypto !== 'undefined' && crypto.getRandomValues) crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  let id = '';
  for (let i = 0; i < bytes.length; i++) id += ALPHABET[bytes[i] & 63];
  return id;
}

/** This browser's clientId, created and stored on first use. */
export function clientId(): string {
  let id = memory;
  try {
    id = id || storage()?.getItem(CLIENT_ID_KEY) || null;
  } catch {
    // storage refused: keep the one in memory
  }
  if (!id || !CLIENT_ID_PATTERN.test(id)) id = newClientId();
  saveClientId(id);
  return id;
}

/** Keeps the clientId the server confirmed (or assigned). */
export function saveClientId(id: unknown): void {
  if (typeof id !== 'string' || !CLIENT_ID_PATTERN.test(id)) return;
  memory = id;
  try {
    storage()?.setItem(CLIENT_ID_KEY, id);
  } catch {
    // storage full or refused: the one in memory serves this page
  }
}
