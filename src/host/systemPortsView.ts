/**
 * The System Ports view: every listening TCP and bound UDP socket of this machine with its process, and
 * which are Socket Lab's own. Refreshed on demand, and by itself at most every 2 s while visible, never
 * while hidden; filtered by port or process; rows connect, copy their address or reveal our endpoint.
 */
import * as vscode from 'vscode';
import { Disposable } from '../core/lifecycle';
import type { SocketLab } from '../core/socketLab';
import { describeHolder, type SystemPort } from '../core/ports/systemPort';
import { formatAddress } from '../shared/naming';
import { describeError } from './errorText';

/** Refreshes by itself at most this often while the view is visible. */
export const SYSTEM_PORTS_REFRESH_MS = 2000;

/** A row of the view. */
export interface SystemPortNode {
  readonly port: SystemPort;
}

const portMarker = Symbol('socketLab.systemPort');

/** True when `value` is a row of the System Ports view. */
export function isSystemPortNode(value: unknown): value is SystemPortNode {
  return typeof value === 'object' && value !== null && portMarker in value;
}

/** True when `port` is what `filter` asks for: its port number, or a part of its process name or pid. */
export function matchesPortFilter(port: SystemPort, filter: string): boolean {
  const f = filter.trim().toLowerCase();
  if (!f) return true;
  if (/^\d+$/.test(f) && (port.port === Number(f) || port.pid === Number(f))) return true;
  return (port.process ?? '').toLowerCase().includes(f) || `${port.protocol}`.includes(f);
}

/** Provides the System Ports view; lists only when shown or asked. */
export class SystemPortsProvider extends Disposable implements vscode.TreeDataProvider<SystemPortNode> {
  private readonly _onDidChangeTreeData = this._register(new vscode.EventEmitter<undefined>());
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
  private _ports: SystemPort[] = [];
  private _error?: string;
  private _filter = '';
  private _listing?: Promise<SystemPort[]>;
  private _timer?: ReturnType<typeof setInterval>;
  /** Listings made, so tests can check the view does not list while hidden. */
  listCount = 0;

  constructor(private readonly _lab: SocketLab) {
    super();
  }

  /** True while the view is visible and refreshes by itself. */
  get following(): boolean {
    return this._timer !== undefined;
  }

  /** The view was shown (list now, then every SYSTEM_PORTS_REFRESH_MS) or hidden (stop listing). */
  setVisible(visible: boolean): void {
    if (visible && !this._timer) {
      void this.refresh();
      this._timer = setInterval(() => void this.refresh(), SYSTEM_PORTS_REFRESH_MS);
    } else if (!visible && this._timer) {
      clearInterval(this._timer);
      this._timer = undefined;
    }
  }

  override dispose(): void {
    this.setVisible(false);
    super.dispose();
  }

  /** The rows as last listed and filtered. */
  get ports(): readonly SystemPort[] {
    return this._ports.filter((p) => matchesPortFilter(p, this._filter));
  }

  get filter(): string {
    return this._filter;
  }

  /** Shows only the rows matching `filter` ('' shows all). */
  setFilter(filter: string): void {
    this._filter = filter.trim();
    this._onDidChangeTreeData.fire(undefined);
  }

  /** Lists again (one listing at a time: a refresh asked during one shares it). */
  refresh(): Promise<SystemPort[]> {
    this._listing ??= (async () => {
      try {
        this.listCount++;
        this._ports = await this._lab.listSystemPorts();
        this._error = undefined;
      } catch (err) {
        this._error = describeError(err);
      } finally {
        this._listing = undefined;
      }
      this._onDidChangeTreeData.fire(undefined);
      return this._ports;
    })();
    return this._listing;
  }

  /** The sentence to show instead of rows: a listing failure, or why the list is empty. */
  get message(): string | undefined {
    if (this._error) return this._error;
    if (this._filter && !this.ports.length && this._ports.length)
      return vscode.l10n.t('No port matches the filter "{0}".', this._filter);
    return this._filter ? vscode.l10n.t('Filter: {0}', this._filter) : undefined;
  }

  getChildren(element?: SystemPortNode): SystemPortNode[] {
    if (element) return [];
    return this.ports.map((port) => {
      const node = { port };
      Object.defineProperty(node, portMarker, { value: true });
      return node;
    });
  }

  getTreeItem(element: SystemPortNode): vscode.TreeItem {
    const p = element.port;
    const address = formatAddress({ address: p.address, port: p.port });
    const item = new vscode.TreeItem(`${p.protocol.toUpperCase()} ${address}`);
    const holder = describeHolder(p) ?? vscode.l10n.t('no permission');
    item.description = p.endpointId ? vscode.l10n.t('{0} · Socket Lab {1}', holder, p.endpointId) : holder;
    item.tooltip = systemPortTooltip(p);
    item.iconPath = new vscode.ThemeIcon(p.endpointId ? 'plug' : p.protocol === 'tcp' ? 'radio-tower' : 'broadcast');
    item.contextValue = p.endpointId ? 'systemPort.own' : 'systemPort';
    item.accessibilityInformation = { label: systemPortAccessibleName(p) };
    return item;
  }
}

/** An address a socket is bound to, in words: the wildcards are said as what they mean. */
function boundAddressWords(address: string): string {
  if (address === '0.0.0.0') return vscode.l10n.t('every IPv4 address');
  if (address === '::') return vscode.l10n.t('every IP address');
  return address;
}

/** Who holds the port, in words: 'held by php, process id 4242', or that the system does not say. */
function holderWords(p: SystemPort): string {
  if (p.pid === undefined) return vscode.l10n.t('process not shown (no permission)');
  return p.process
    ? vscode.l10n.t('held by {0}, process id {1}', p.process, p.pid)
    : vscode.l10n.t('held by process id {0}', p.pid);
}

/**
 * What a screen reader says for a row, in words and without symbols: 'TCP port 8080 on 127.0.0.1, listening,
 * held by php, process id 4242', with ", Socket Lab endpoint e3" for one of ours. It never changes on a refresh
 * unless the socket does.
 */
export function systemPortAccessibleName(p: SystemPort): string {
  const where = boundAddressWords(p.address);
  const parts = [
    p.protocol === 'tcp'
      ? vscode.l10n.t('TCP port {0} on {1}, listening', p.port, where)
      : vscode.l10n.t('UDP port {0} on {1}, bound', p.port, where),
    holderWords(p),
  ];
  if (p.endpointId) parts.push(vscode.l10n.t('Socket Lab endpoint {0}', p.endpointId));
  return parts.join(', ');
}

/** A row's tooltip: the socket, its state, who holds it, and whether it is a Socket Lab endpoint, one per line. */
export function systemPortTooltip(p: SystemPort): string {
  const lines = [
    `${p.protocol.toUpperCase()} ${formatAddress({ address: p.address, port: p.port })}`,
    p.protocol === 'tcp'
      ? vscode.l10n.t('Listening on {0}', boundAddressWords(p.address))
      : vscode.l10n.t('Bound to {0}', boundAddressWords(p.address)),
    p.pid === undefined
      ? vscode.l10n.t('The system does not show which process holds this socket to this user (no permission).')
      : vscode.l10n.t('Process: {0}', describeHolder(p) ?? ''),
  ];
  if (p.endpointId) lines.push(vscode.l10n.t('Socket Lab endpoint {0}', p.endpointId));
  return lines.join('\n');
}

/** The host address a client uses to reach a socket bound to `address` (a wildcard means this machine's loopback). */
export function connectHostFor(address: string): string {
  if (address === '0.0.0.0') return '127.0.0.1';
  if (address === '::') return '::1';
  return address;
}

/**
 * Creates the view and its commands: refreshSystemPorts, filterSystemPorts, and the row actions
 * connectSystemPort, copySystemPortAddress, revealSystemPortEndpoint (socketLab.listSystemPorts is with the
 * other commands).
 */
export function createSystemPortsView(
  lab: SocketLab,
  output: vscode.LogOutputChannel,
  revealEndpoint: (id: string) => Thenable<void>,
): { provider: SystemPortsProvider; disposables: vscode.Disposable[] } {
  const provider = new SystemPortsProvider(lab);
  const view = vscode.window.createTreeView<SystemPortNode>('socketLab.systemPorts', { treeDataProvider: provider });
  const showMessage = () => (view.message = provider.message);
  const guarded = (name: string, fn: (node?: SystemPortNode) => Promise<unknown>) =>
    vscode.commands.registerCommand(`socketLab.${name}`, async (node?: unknown) => {
      try {
        return await fn(isSystemPortNode(node) ? node : undefined);
      } catch (err) {
        const message = describeError(err);
        output.error(`socketLab.${name} failed: ${message}`);
        void vscode.window.showErrorMessage(message);
        return undefined;
      }
    });
  const pickPort = async (node: SystemPortNode | undefined, title: string, ownOnly = false) => {
    if (node) return node.port;
    const ports = (await provider.refresh()).filter((p) => !ownOnly || p.endpointId);
    const picked = await vscode.window.showQuickPick(
      ports.map((port) => ({
        label: `${port.protocol.toUpperCase()} ${formatAddress({ address: port.address, port: port.port })}`,
        description: describeHolder(port) ?? vscode.l10n.t('no permission'),
        port,
      })),
      { title, matchOnDescription: true },
    );
    return picked?.port;
  };
  const disposables: vscode.Disposable[] = [
    provider,
    view,
    provider.onDidChangeTreeData(showMessage),
    view.onDidChangeVisibility((e) => provider.setVisible(e.visible)),
    guarded('refreshSystemPorts', () => provider.refresh()),
    guarded('filterSystemPorts', async () => {
      const filter = await vscode.window.showInputBox({
        title: vscode.l10n.t('Filter System Ports'),
        prompt: vscode.l10n.t('A port number, a pid or part of a process name; empty shows every port'),
        value: provider.filter,
      });
      if (filter !== undefined) provider.setFilter(filter);
      return { filter: provider.filter };
    }),
    guarded('connectSystemPort', async (node) => {
      const port = await pickPort(node, vscode.l10n.t('Connect to'));
      if (!port) return undefined;
      const host = connectHostFor(port.address);
      const command = port.protocol === 'tcp' ? 'socketLab.connectTcp' : 'socketLab.openUdpClient';
      return vscode.commands.executeCommand(command, { host, port: port.port });
    }),
    guarded('copySystemPortAddress', async (node) => {
      const port = await pickPort(node, vscode.l10n.t('Copy the address of'));
      if (!port) return undefined;
      const address = formatAddress({ address: port.address, port: port.port });
      await vscode.env.clipboard.writeText(address);
      vscode.window.setStatusBarMessage(vscode.l10n.t('Copied {0}', address), 3000);
      return { address };
    }),
    guarded('revealSystemPortEndpoint', async (node) => {
      const port = await pickPort(node, vscode.l10n.t('Reveal the Socket Lab endpoint of'), true);
      if (!port?.endpointId) return undefined;
      await revealEndpoint(port.endpointId);
      return { id: port.endpointId };
    }),
  ];
  provider.setVisible(view.visible);
  return { provider, disposables };
}
