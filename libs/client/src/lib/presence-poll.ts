import type { PollTallies } from '@presently/protocol';
import type { Observable } from 'rxjs';
import type { Link, RunCommand } from './link';
import type { ServerWatches } from './server-watches';
import type { PresencePoll } from './types';

/**
 * A live poll: `tallies$` watches it while subscribed; `vote` adds one click.
 * A vote is not repeated after a dropped connection (it may have counted).
 */
export class Poll implements PresencePoll {
  readonly tallies$: Observable<PollTallies>;

  constructor(
    readonly name: string,
    private readonly watches: ServerWatches<PollTallies>,
    private readonly link: Link,
    private readonly run: RunCommand,
  ) {
    this.tallies$ = watches.stream(name);
  }

  vote(option: string): Promise<PollTallies> {
    return this.run(async () => {
      const { poll, tallies } = await this.link.request('poll:vote', { poll: this.name, option }, (reply) =>
        this.watches.update(this.name, { poll: reply.poll, tallies: reply.tallies }),
      );
      return { poll, tallies };
    }, false);
  }
}
