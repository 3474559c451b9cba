import * as vscode from 'vscode';
import type { SocketLab } from '../core/socketLab';
import type { ConnectionInfo, EndpointInfo, EndpointKind } from '../shared/model';
import { endpointName } from '../core/endpoint';
import { Disposable } from '../core/lifecycle';
import { Throttle } from '../shared/throttle';
import { formatBytes } from '../shared/display';
import { connectionLabel, formatAddress } from '../shared/format';
import { describeInfoError } from './messages';

/** A node of the Sockets view: an endpoint (root) or one of its connections / UDP peers. */
export type SocketNode = { type: 'endpoint'; id: string } | { type: 'connection'; id: string; endpointId: string };

/** True when `value` is a node of our tree (commands tell tree clicks from argument objects by this). */
export function isSocketNode(value: unknown): value is SocketNode {
  return typeof value === 'object' && value !== null && nodeMarker in value;
}

const nodeMarker = Symbol('socketLab.node');

/** Tree refreshes at most this often, whatever the traffic (4 a second). */
const TREE_REFRESH_MS = 250;

const KIND_ICON: Record<EndpointKind, string> = {
  'tcp-listener': 'radio-tower',
  'tcp-client': 'plug',
  udp: 'broadcast',
  'unix-listener': 'server-process',
  'unix-client': 'debug-disconnect',
};

/** 'TCP 127.0.0.1:8880', 'TCP → 127.0.0.1:80', 'UDP 0.0.0.0:9000', 'Unix /tmp/a.sock'. */
export function endpointLabel(info: EndpointInfo): string {
  return endpointName(info.kind, info.local, info.remote) ?? info.id;
}

/** The localized word for an endpoint's or connection's state. */
export function stateText(state: EndpointInfo['state'] | ConnectionInfo['state']): string {
  switch (state) {
    case 'listening':
      return vscode.l10n.t('listening');
    case 'connecting':
      return vscode.l10n.t('connecting');
    case 'connected':
      return vscode.l10n.t('connected');
    case 'closed':
      return vscode.l10n.t('closed');
    case 'error':
      return vscode.l10n.t('error');
  }
}

function counters(x: { bytesIn: number; bytesOut: number }): string {
  return `↓${formatBytes(x.bytesIn)} ↑${formatBytes(x.bytesOut)}`;
}

/** 'listening · 2 clients · ↓1.2 KB ↑300 B' */
export function endpointDescription(info: EndpointInfo): string {
  const parts = [stateText(info.state)];
  const live = info.connections.filter((c) => c.state === 'connected').length;
  if (info.kind === 'tcp-listener' || info.kind === 'unix-listener') {
    parts.push(live === 1 ? vscode.l10n.t('1 client') : vscode.l10n.t('{0} clients', live));
  } else if (info.kind === 'udp' && !info.remote) {
    parts.push(
      info.connections.length === 1 ? vscode.l10n.t('1 peer') : vscode.l10n.t('{0} peers', info.connections.length),
    );
  }
  if (info.peerEnded && info.state === 'connected') parts.push(vscode.l10n.t('peer closed its side'));
  if (info.localEnded && info.state === 'connected') parts.push(vscode.l10n.t('our sending side closed'));
  parts.push(counters(info));
  return parts.join(' · ');
}

/** Provides the Sockets view from the core's endpoints; refreshes are coalesced to 4 a second. */
export class SocketsTreeProvider extends Disposable implements vscode.TreeDataProvider<SocketNode> {
  private readonly _onDidChangeTreeData = this._register(new vscode.EventEmitter<SocketNode | undefined>());
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;

  /** Node objects are cached by id so that the same element is handed back for the same socket. */
  private readonly nodes = new Map<string, SocketNode>();
  /** Endpoints whose counters changed since the last refresh; `structure` when roots came or went. */
  private readonly dirty = new Set<string>();
  private structureChanged = false;
  private readonly throttle = this._register(new Throttle(TREE_REFRESH_MS, () => this.refresh()));
  /** Connection snapshots from the last getChildren of their endpoint: getTreeItem reads these, so building 10,000 children stays linear. */
  private readonly connectionSnapshots = new Map<string, ConnectionInfo>();
  /** Counts refreshes, so tests and benchmarks can check the coalescing. */
  refreshCount = 0;

  constructor(private readonly lab: SocketLab) {
    super();
    this._register(
      lab.onDidChangeEndpoints((id) => {
        // Roots change with adds/removes; a structural change of one endpoint (its children) is a dirty node.
        if (!lab.get(id) || !this.nodes.has(id)) this.structureChanged = true;
        this.dirty.add(id);
        this.throttle.schedule();
      }),
    );
    this._register(
      lab.onDidTraffic((e) => {
        this.dirty.add(e.endpointId);
        this.throttle.schedule();
      }),
    );
  }

  private refresh(): void {
    this.refreshCount++;
    if (this.structureChanged || this.dirty.size > 50) {
      this.structureChanged = false;
      this.dirty.clear();
      this._onDidChangeTreeData.fire(undefined);
      return;
    }
    for (const id of this.dirty) {
      const node = this.nodes.get(id);
      if (node) this._onDidChangeTreeData.fire(node);
    }
    this.dirty.clear();
  }

  private node(id: string, endpointId?: string): SocketNode {
    let node = this.nodes.get(id);
    if (!node) {
      node = endpointId === undefined ? { type: 'endpoint', id } : { type: 'connection', id, endpointId };
      Object.defineProperty(node, nodeMarker, { value: true });
      this.nodes.set(id, node);
    }
    return node;
  }

  /** The node for an endpoint or connection id (for `reveal`). */
  nodeFor(id: string): SocketNode | undefined {
    for (const endpoint of this.lab.list()) {
      if (endpoint.id === id) return this.node(id);
      if (endpoint.connections.some((c) => c.id === id)) return this.node(id, endpoint.id);
    }
    return undefined;
  }

  getChildren(element?: SocketNode): SocketNode[] {
    if (!element) {
      const endpoints = this.lab.list();
      const live = new Set(endpoints.map((e) => e.id));
      for (const [id, node] of this.nodes) {
        const owner = node.type === 'endpoint' ? id : node.endpointId;
        if (!live.has(owner)) this.nodes.delete(id);
      }
      return endpoints.map((e) => this.node(e.id));
    }
    if (element.type === 'connection') return [];
    const info = this.lab.get(element.id);
    if (!info) return [];
    for (const id of this.connectionSnapshots.keys()) {
      if (id.startsWith(info.id + '.')) this.connectionSnapshots.delete(id);
    }
    return info.connections.map((c) => {
      this.connectionSnapshots.set(c.id, c);
      return this.node(c.id, info.id);
    });
  }

  getParent(element: SocketNode): SocketNode | undefined {
    return element.type === 'connection' ? this.node(element.endpointId) : undefined;
  }

  getTreeItem(element: SocketNode): vscode.TreeItem {
    if (element.type === 'connection') {
      const snapshot =
        this.connectionSnapshots.get(element.id) ??
        this.lab.get(element.endpointId)?.connections.find((c) => c.id === element.id);
      return snapshot
        ? this.connectionItem(element.endpointId, snapshot)
        : new vscode.TreeItem(vscode.l10n.t('(gone)'));
    }
    const endpoint = this.lab.get(element.id);
    return endpoint ? this.endpointItem(endpoint) : new vscode.TreeItem(vscode.l10n.t('(gone)'));
  }

  private endpointItem(info: EndpointInfo): vscode.TreeItem {
    // Listeners and UDP sockets are containers from the start: VS Code keeps an item that was first
    // shown without children collapsed when children arrive, and users want to see who connected.
    const isContainer =
      info.kind === 'tcp-listener' || info.kind === 'unix-listener' || (info.kind === 'udp' && !info.remote);
    const item = new vscode.TreeItem(
      endpointLabel(info),
      isContainer || info.connections.length
        ? vscode.TreeItemCollapsibleState.Expanded
        : vscode.TreeItemCollapsibleState.None,
    );
    item.id = info.id;
    item.description = endpointDescription(info);
    const live = info.state === 'listening' || info.state === 'connected' || info.state === 'connecting';
    // '.halfclosed' once we sent FIN: nothing more can be sent, so the send and half-close menus go away.
    item.contextValue = `endpoint.${info.kind}.${live ? (info.localEnded ? 'halfclosed' : 'live') : 'dead'}`;
    const color =
      info.state === 'error'
        ? new vscode.ThemeColor('errorForeground')
        : live
          ? undefined
          : new vscode.ThemeColor('disabledForeground');
    item.iconPath = new vscode.ThemeIcon(info.state === 'error' ? 'error' : KIND_ICON[info.kind], color);
    item.command = {
      command: 'socketLab.openPanel',
      title: vscode.l10n.t('Open Send Panel'),
      arguments: [this.node(info.id)],
    };
    return item;
  }

  /**
   * Tooltips are built only when VS Code asks (on hover): building Markdown for each of 10,000 children
   * on every refresh was half of the tree's cost (npm run bench, item 5b).
   */
  resolveTreeItem(item: vscode.TreeItem, element: SocketNode): vscode.TreeItem {
    if (element.type === 'endpoint') {
      const info = this.lab.get(element.id);
      if (info) item.tooltip = this.endpointTooltip(info);
    } else {
      const c =
        this.connectionSnapshots.get(element.id) ??
        this.lab.get(element.endpointId)?.connections.find((x) => x.id === element.id);
      if (c) item.tooltip = this.connectionTooltip(c, typeof item.label === 'string' ? item.label : c.id);
    }
    return item;
  }

  private endpointTooltip(info: EndpointInfo): vscode.MarkdownString {
    const md = new vscode.MarkdownString(undefined, true);
    md.isTrusted = false;
    md.appendMarkdown(`**${escapeMarkdown(endpointLabel(info))}** \`${info.id}\`\n\n`);
    md.appendMarkdown(`${escapeMarkdown(vscode.l10n.t('State'))}: ${escapeMarkdown(stateText(info.state))}\n\n`);
    if (info.local)
      md.appendMarkdown(`${escapeMarkdown(vscode.l10n.t('Local'))}: \`${formatAddress(info.local)}\`\n\n`);
    if (info.remote)
      md.appendMarkdown(`${escapeMarkdown(vscode.l10n.t('Remote'))}: \`${formatAddress(info.remote)}\`\n\n`);
    md.appendMarkdown(escapeMarkdown(trafficLine(info)) + '\n\n');
    if (info.dropped)
      md.appendMarkdown(
        escapeMarkdown(vscode.l10n.t('{0} old log records dropped by the log cap', info.dropped)) + '\n\n',
      );
    const error = describeInfoError(info);
    if (error) md.appendMarkdown(`$(error) ${escapeMarkdown(error)}`);
    return md;
  }

  private connectionItem(endpointId: string, c: ConnectionInfo): vscode.TreeItem {
    const item = new vscode.TreeItem(connectionLabel(c), vscode.TreeItemCollapsibleState.None);
    item.id = c.id;
    const open = c.state === 'connected';
    const ends = [
      ...(c.peerEnded && open ? [vscode.l10n.t('peer closed its side')] : []),
      ...(c.localEnded && open ? [vscode.l10n.t('our sending side closed')] : []),
    ];
    item.description = [stateText(c.state), ...ends, counters(c)].join(' · ');
    const isPeer = c.id.startsWith(`${endpointId}.p`);
    item.contextValue = `connection.${isPeer ? 'peer' : 'stream'}.${open ? (c.localEnded ? 'halfclosed' : 'live') : 'dead'}`;
    const icon = c.error ? 'error' : isPeer ? 'account' : 'arrow-swap';
    item.iconPath = new vscode.ThemeIcon(
      icon,
      c.error
        ? new vscode.ThemeColor('errorForeground')
        : c.state === 'connected'
          ? undefined
          : new vscode.ThemeColor('disabledForeground'),
    );
    return item;
  }

  private connectionTooltip(c: ConnectionInfo, label: string): vscode.MarkdownString {
    const md = new vscode.MarkdownString(undefined, true);
    md.isTrusted = false;
    md.appendMarkdown(`**${escapeMarkdown(label)}** \`${c.id}\`\n\n`);
    md.appendMarkdown(escapeMarkdown(trafficLine(c)));
    // Why it closed (a reset by the peer...), as the endpoint tooltip does for endpoints.
    const error = describeInfoError(c);
    if (error) md.appendMarkdown(`\n\n$(error) ${escapeMarkdown(error)}`);
    return md;
  }
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (ch) => `\\${ch}`);
}

/** 'In: 1.2 kB in 3 messages · Out: …', with 'message' for one. */
function trafficLine(c: { bytesIn: number; messagesIn: number; bytesOut: number; messagesOut: number }): string {
  const part = (bytes: number, messages: number) =>
    messages === 1
      ? vscode.l10n.t('{0} in 1 message', formatBytes(bytes))
      : vscode.l10n.t('{0} in {1} messages', formatBytes(bytes), messages);
  return vscode.l10n.t('In: {0} · Out: {1}', part(c.bytesIn, c.messagesIn), part(c.bytesOut, c.messagesOut));
}
