/**
 * Endpoints survive a window reload (setting `socketLab.restoreEndpoints`): the start command and argument of
 * every open endpoint are kept in the workspace state and replayed by the next extension host, under the
 * same ids, so the send panels restored by VS Code find their endpoints again.
 */
import * as vscode from 'vscode';
import type { SocketLab } from '../core/socketLab';
import { Disposable } from '../core/lifecycle';
import { isExternalBind } from '../shared/ipAddress';
import { RESTORE_MAX_ENDPOINTS, RESTORE_RETRY_INTERVAL_MS, RESTORE_RETRY_MS } from '../shared/limits';
import type { EndpointInfo } from '../shared/model';
import { endpointName, isLive } from '../shared/naming';
import { Throttle } from '../shared/throttle';
import { describeError, describeInfoError } from './errorText';

/** One endpoint as stored for the next extension host. */
export interface StoredEndpoint {
  id: string;
  command: string;
  args: Record<string, unknown>;
  local?: EndpointInfo['local'];
  remote?: EndpointInfo['remote'];
}

/** The workspace-state key of the stored endpoints. */
export const RESTORE_STATE_KEY = 'socketLab.restore.endpoints';

const OPEN_COMMANDS = [
  'startTcpListener',
  'startUdpListener',
  'connectTcp',
  'openUdpClient',
  'startUnixListener',
  'connectUnix',
] as const;
type OpenCommand = (typeof OPEN_COMMANDS)[number];

/** What the restorer needs from the host. */
export interface RestoreHost {
  lab: SocketLab;
  state: vscode.Memento;
  output: vscode.LogOutputChannel;
  /** Whether `socketLab.restoreEndpoints` is on (read at each use: it can change). */
  enabled: () => boolean;
  /** The confirmation a new external bind asks; true to bind. */
  confirmExternal: (host: string, port: number) => Promise<boolean>;
}

/** Keeps the stored list in step with the open endpoints and brings them back at activation. */
export class EndpointRestorer extends Disposable {
  /** Until the restore is over, nothing is saved: a partly restored list must not replace the stored one. */
  private _saving = false;
  /** Endpoints that could not come back: kept in the stored list while the user leaves them in the view. */
  private readonly _failed = new Set<string>();
  private readonly _save = this._register(new Throttle(300, () => void this._write()));
  private _done!: () => void;
  /** Resolves when the restore is over (the panels wait for it before they look for their endpoint). */
  readonly ready = new Promise<void>((resolve) => (this._done = resolve));

  constructor(private readonly _host: RestoreHost) {
    super();
    this._register(
      _host.lab.onDidChangeEndpoints((id) => {
        if (!this._saving) return;
        // A stop is saved at once: a window reload right after it must not bring the endpoint back. Traffic and
        // other changes of a live endpoint stay coalesced.
        if (isLive(_host.lab.get(id)?.state ?? 'closed')) this._save.schedule();
        else this._saveNow();
      }),
    );
  }

  /** Stops saving for good: the host is shutting down, and closing every socket must not empty the list. */
  freeze(): void {
    this._saving = false;
  }

  override dispose(): void {
    this.freeze();
    super.dispose();
  }

  /** Brings back the stored endpoints (when the setting is on), then keeps the list up to date. Never throws. */
  async restore(): Promise<void> {
    try {
      if (this._host.enabled()) await this._restoreAll(this._stored());
    } catch (err) {
      this._host.output.error(`restore failed: ${describeError(err)}`);
    } finally {
      this._saving = !this.isDisposed;
      this._done();
      if (this._saving) this._save.schedule();
    }
  }

  private _stored(): StoredEndpoint[] {
    const value = this._host.state.get<unknown>(RESTORE_STATE_KEY);
    if (!Array.isArray(value)) return [];
    return value.filter(
      (e): e is StoredEndpoint =>
        typeof e === 'object' &&
        e !== null &&
        typeof e.id === 'string' &&
        (OPEN_COMMANDS as readonly string[]).includes(e.command) &&
        typeof e.args === 'object' &&
        e.args !== null,
    );
  }

  private async _restoreAll(stored: StoredEndpoint[]): Promise<void> {
    const { lab } = this._host;
    lab.reserveIds(stored.map((e) => e.id));
    // External binds are confirmed one at a time, before anything binds, as a new one would be.
    const approved: StoredEndpoint[] = [];
    for (const e of stored) {
      const host = typeof e.args.host === 'string' ? e.args.host : undefined;
      const external = e.args.allowExternal === true && host !== undefined && isExternalBind(host);
      if (external && !(await this._host.confirmExternal(host, Number(e.args.port)))) {
        this._host.output.info(`${e.id}: not restored (the bind on ${host} was not confirmed)`);
        continue;
      }
      approved.push(e);
    }
    // Listeners first: a client of one of our own listeners then finds it listening.
    await Promise.all(approved.filter((e) => e.command.startsWith('start')).map((e) => this._restoreOne(e)));
    await Promise.all(approved.filter((e) => !e.command.startsWith('start')).map((e) => this._restoreOne(e)));
  }

  /** Opens one endpoint again; a port still held (by the old extension host, which ends a few seconds later) is retried. */
  private async _restoreOne(e: StoredEndpoint): Promise<void> {
    const { lab, output } = this._host;
    let info: EndpointInfo;
    try {
      info = await lab.reopen(e.id, e.command as OpenCommand, e.args, { local: e.local, remote: e.remote });
    } catch (err) {
      output.warn(`${e.id}: could not be restored: ${describeError(err)}`);
      return;
    }
    const deadline = Date.now() + RESTORE_RETRY_MS;
    while (info.state === 'error' && info.errorCode === 'addressInUse' && Date.now() < deadline && !this.isDisposed) {
      await new Promise((resolve) => setTimeout(resolve, RESTORE_RETRY_INTERVAL_MS));
      if (lab.get(e.id)?.state !== 'error') return; // stopped or restarted by the user meanwhile
      info = await lab.restart({ id: e.id }).catch(() => lab.get(e.id) ?? info);
    }
    if (info.state === 'error') {
      this._failed.add(e.id);
      output.warn(`${e.id}: ${endpointName(info)} could not be restored: ${describeInfoError(info) ?? info.state}`);
    } else {
      output.info(`${e.id}: ${endpointName(info)} restored (${info.state})`);
    }
  }

  /** Writes the list now (a pending coalesced write is folded into this one). */
  private _saveNow(): void {
    if (this._save.pending) this._save.flush();
    else void this._write();
  }

  private async _write(): Promise<void> {
    if (!this._saving) return;
    const { lab, state } = this._host;
    if (!this._host.enabled()) {
      await state.update(RESTORE_STATE_KEY, undefined);
      return;
    }
    const stored: StoredEndpoint[] = [];
    for (const info of lab.list()) {
      if (!isLive(info.state) && !this._failed.has(info.id)) continue;
      if (isLive(info.state)) this._failed.delete(info.id);
      const spec = lab.openSpec(info.id);
      if (!spec) continue;
      stored.push({ id: info.id, command: spec.command, args: spec.args, local: info.local, remote: info.remote });
    }
    for (const id of this._failed) if (!lab.get(id)) this._failed.delete(id);
    if (this._saving) await state.update(RESTORE_STATE_KEY, stored.slice(-RESTORE_MAX_ENDPOINTS));
  }
}
