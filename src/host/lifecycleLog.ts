import type * as vscode from 'vscode';
import type { SocketLab } from '../core/socketLab';
import { Disposable } from '../core/lifecycle';
import { Throttle } from '../shared/throttle';
import { describeInfoError } from './messages';
import { endpointName } from '../shared/naming';

/**
 * Writes lifecycle events (state changes, connections opened/closed, errors, repeats ended) to the
 * output channel, never payloads; the lines are English, the error sentences in the display language
 * (as commands log them). Changes are diffed at most 4 times a second, so a connection flood
 * becomes one line per endpoint and interval, not one line per connection.
 */
export class LifecycleLog extends Disposable {
  private readonly known = new Map<string, { state: string; live: number; error?: string }>();
  private readonly changed = new Set<string>();
  private readonly throttle = this._register(new Throttle(250, () => this.flush()));

  constructor(
    private readonly lab: SocketLab,
    private readonly output: vscode.LogOutputChannel,
  ) {
    super();
    this._register(
      lab.onDidChangeEndpoints((id) => {
        this.changed.add(id);
        this.throttle.schedule();
      }),
    );
    this._register(
      lab.onDidEndRepeat((e) => {
        if (e.error)
          output.warn(`repeat ${e.repeatId} on ${e.endpointId} stopped after ${e.sent} sends: ${describeInfoError(e)}`);
        else output.info(`repeat ${e.repeatId} on ${e.endpointId} ended after ${e.sent} sends`);
      }),
    );
  }

  private flush(): void {
    for (const id of this.changed) {
      const info = this.lab.get(id);
      const before = this.known.get(id);
      if (!info) {
        if (before) this.output.info(`${id}: removed`);
        this.known.delete(id);
        continue;
      }
      const live = info.connections.reduce((n, c) => n + (c.state === 'connected' ? 1 : 0), 0);
      const now = { state: info.state, live, error: info.error };
      if (!before || before.state !== now.state) {
        const line = `${id}: ${endpointName(info)} ${info.state}${info.error ? ` — ${describeInfoError(info)}` : ''}`;
        if (info.state === 'error') this.output.error(line);
        else this.output.info(line);
      } else if (now.error && now.error !== before.error) {
        this.output.warn(`${id}: ${describeInfoError(info)}`);
      }
      if (before && before.live !== live) this.output.info(`${id}: ${live} live connection(s) (was ${before.live})`);
      this.known.set(id, now);
    }
    this.changed.clear();
  }
}
