import { PresenceError } from './presence-error';

interface Command {
  send: () => Promise<unknown>;
  resend: boolean;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  sent: boolean;
  /** Bumped at every send, so that an outcome of an earlier send is ignored. */
  attempt: number;
}

/**
 * The commands of a client (enter, join, vote...), in call order. While the
 * connection is up they are sent at once; while it is down they wait and are
 * sent, in order, when it is back (after what was already entered or joined
 * has been restored). A command whose connection dropped before its ack is
 * sent again on the next connection when it is safe to repeat (`resend`:
 * every presence command is idempotent); one that is not (a vote) rejects
 * with `DISCONNECTED` instead, as it may or may not have been applied.
 */
export class CommandQueue {
  private readonly commands: Command[] = [];
  private open = false;
  private failure: PresenceError | undefined;

  /** Runs `send` when connected; settles with its outcome. */
  run<T>(send: () => Promise<T>, resend = true): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<T>((resolve, reject) => {
      const command: Command = { send, resend, resolve: resolve as (value: unknown) => void, reject, sent: false, attempt: 0 };
      this.commands.push(command);
      if (this.open) this.dispatch(command);
    });
  }

  /** The connection is up: sends every waiting command, in call order. */
  resume(): void {
    this.open = true;
    for (const command of [...this.commands]) if (!command.sent) this.dispatch(command);
  }

  /** The connection dropped: what can be sent again waits for the next one. */
  pause(): void {
    this.open = false;
    for (const command of [...this.commands]) {
      if (!command.sent) continue;
      if (command.resend) {
        command.sent = false;
        command.attempt += 1;
      } else {
        this.settle(command, () => command.reject(new PresenceError('DISCONNECTED', 'the connection dropped before the answer; the command may or may not have been applied')));
      }
    }
  }

  /** Rejects every command, now and later, with `error` (closed, or refused by the server). */
  fail(error: PresenceError): void {
    this.open = false;
    this.failure = error;
    for (const command of this.commands.splice(0)) command.reject(error);
  }

  /** Accepts commands again after `fail` (a new handshake is under way). */
  reset(): void {
    this.failure = undefined;
  }

  private dispatch(command: Command): void {
    command.sent = true;
    const attempt = ++command.attempt;
    command.send().then(
      (value) => {
        if (command.attempt === attempt) this.settle(command, () => command.resolve(value));
      },
      (error: unknown) => {
        if (command.attempt === attempt) this.settle(command, () => command.reject(error));
      },
    );
  }

  private settle(command: Command, outcome: () => void): void {
    const index = this.commands.indexOf(command);
    if (index < 0) return;
    this.commands.splice(index, 1);
    outcome();
  }
}
