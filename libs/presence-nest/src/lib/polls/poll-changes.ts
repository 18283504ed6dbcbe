import { Injectable } from '@nestjs/common';
import { type Observable, Subject } from 'rxjs';

/**
 * What the cluster store tells about polls (`REDIS_URL` mode): whose tallies
 * changed somewhere, which were closed somewhere, and when the store is
 * (again) ready to take the configured declarations. The cluster figures
 * tell, the poll service listens. Quiet in one process, where the poll
 * service sees everything itself.
 */
@Injectable()
export class PollChanges {
  private readonly changes = new Subject<string>();
  private readonly closes = new Subject<string>();
  private readonly readies = new Subject<void>();
  readonly changed$: Observable<string> = this.changes.asObservable();
  readonly closed$: Observable<string> = this.closes.asObservable();
  /** The store started, or was rebuilt after a restart that may have emptied it. */
  readonly storeReady$: Observable<void> = this.readies.asObservable();

  changed(poll: string): void {
    this.changes.next(poll);
  }

  closed(poll: string): void {
    this.closes.next(poll);
  }

  storeReady(): void {
    this.readies.next();
  }
}
