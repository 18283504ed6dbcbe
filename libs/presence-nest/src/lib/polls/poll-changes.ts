import { Injectable } from '@nestjs/common';
import { type Observable, Subject } from 'rxjs';

/**
 * Which polls' tallies changed somewhere in the cluster (`REDIS_URL` mode):
 * the cluster figures tell, the poll service listens and announces them to
 * its own watchers. Quiet in one process, where the poll service sees every
 * vote itself.
 */
@Injectable()
export class PollChanges {
  private readonly subject = new Subject<string>();
  readonly changed$: Observable<string> = this.subject.asObservable();

  changed(poll: string): void {
    this.subject.next(poll);
  }
}
