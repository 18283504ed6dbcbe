import { Injectable, signal } from '@angular/core';
import { NAME_MAX } from './chat-rooms';

const NAME_KEY = 'presently-demo:name';

/** The statuses the demo offers; the protocol accepts any short string. */
export const STATUSES = ['online', 'away', 'busy'] as const;
export type Status = (typeof STATUSES)[number];

/**
 * Who this visitor is in the chat: a name kept in localStorage (shared by
 * the browser's tabs, remembered across visits) and a status kept for the
 * tab's lifetime.
 */
@Injectable({ providedIn: 'root' })
export class ChatIdentity {
  private readonly nameState = signal<string | null>(readName());
  private readonly statusState = signal<Status>('online');
  readonly name = this.nameState.asReadonly();
  readonly status = this.statusState.asReadonly();

  /** Sets the name (trimmed, at most 64 characters); a blank name is ignored. */
  setName(raw: string): boolean {
    const name = normalizeName(raw);
    if (!name) return false;
    this.nameState.set(name);
    try {
      localStorage.setItem(NAME_KEY, name);
    } catch {
      // Storage refused (private mode): the name lasts for this tab only.
    }
    return true;
  }

  setStatus(status: Status): void {
    this.statusState.set(status);
  }
}

export function normalizeName(raw: string): string {
  return raw.replace(/\s+/g, ' ').trim().slice(0, NAME_MAX);
}

function readName(): string | null {
  try {
    return normalizeName(localStorage.getItem(NAME_KEY) ?? '') || null;
  } catch {
    return null;
  }
}
