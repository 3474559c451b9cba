import * as vscode from 'vscode';
import type { SocketLab } from '../core/socketLab';
import { Disposable } from '../core/lifecycle';
import { Throttle } from '../shared/throttle';
import { describeInfoError } from './errorText';
import { stateText } from './labels';
import { endpointName } from '../shared/naming';

/**
 * The Socket Lab output channel's account of what happens: state changes, connections opened/closed,
 * errors and repeats ended, written to the output channel, never payloads; the lines and the error sentences
 * are in the display language (ids and addresses stay as they are). Changes are diffed at most 4 times a second, so a connection flood
 * becomes one line per endpoint and interval, not one line per connection.
 */
export class OutputLog extends Disposable {
  private readonly _known = new Map<
    string,
    { state: string; live: number; error?: string; rulesOff: number; refused: number }
  >();
  private readonly _changed = new Set<string>();
  private readonly _throttle = this._register(new Throttle(250, () => this._flush()));

  constructor(
    private readonly _lab: SocketLab,
    private readonly _output: vscode.LogOutputChannel,
  ) {
    super();
    this._register(
      _lab.onDidChangeEndpoints((id) => {
        this._changed.add(id);
        this._throttle.schedule();
      }),
    );
    this._register(
      _lab.onDidEndRepeat((e) => {
        if (e.error)
          _output.warn(
            vscode.l10n.t(
              'repeat {0} on {1} stopped after {2} sends: {3}',
              e.repeatId,
              e.endpointId,
              e.sent,
              describeInfoError(e) ?? '',
            ),
          );
        else _output.info(vscode.l10n.t('repeat {0} on {1} ended after {2} sends', e.repeatId, e.endpointId, e.sent));
      }),
    );
  }

  private _flush(): void {
    for (const id of this._changed) {
      const info = this._lab.get(id);
      const before = this._known.get(id);
      if (!info) {
        if (before) this._output.info(vscode.l10n.t('{0}: removed', id));
        this._known.delete(id);
        continue;
      }
      const live = info.connections.reduce((n, c) => n + (c.state === 'connected' ? 1 : 0), 0);
      const rulesOff = info.autoReplyRulesOff ?? [];
      const refused = info.refusedConnections ?? 0;
      const now = { state: info.state, live, error: info.error, rulesOff: rulesOff.length, refused };
      // A rule switched off and connections refused at the limit are said once, when they happen.
      // Set again or restarted, the lists start over.
      const seenOff = before && before.rulesOff <= rulesOff.length ? before.rulesOff : 0;
      const seenRefused = before && before.refused <= refused ? before.refused : 0;
      for (const off of rulesOff.slice(seenOff)) {
        this._output.warn(`${id}: auto-reply rule ${off.rule + 1} switched off — ${describeInfoError(off)}`);
      }
      if (refused > seenRefused) {
        this._output.warn(
          `${id}: ${refused - seenRefused} connection(s) refused: ${info.maxConnections} were open (maxConnections)`,
        );
      }
      if (!before || before.state !== now.state) {
        const state = `${id}: ${endpointName(info)} ${stateText(info.state)}`;
        const line = info.error ? `${state} — ${describeInfoError(info)}` : state;
        if (info.state === 'error') this._output.error(line);
        else this._output.info(line);
      } else if (now.error && now.error !== before.error) {
        this._output.warn(`${id}: ${describeInfoError(info)}`);
      }
      if (before && before.live !== live)
        this._output.info(vscode.l10n.t('{0}: {1} live connection(s) (was {2})', id, live, before.live));
      this._known.set(id, now);
    }
    this._changed.clear();
  }
}
