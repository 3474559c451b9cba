/** The Sockets view: endpoints as roots, their connections and UDP peers as children, refreshed at most 4 times a second. */
import * as vscode from 'vscode';
import type { SocketLab } from '../core/socketLab';
import type { ConnectionInfo, EndpointInfo, EndpointKind } from '../shared/model';
import { Disposable } from '../core/lifecycle';
import { Throttle } from '../shared/throttle';
import { connectionLabel, endpointName, formatAddress, isClient, isLive } from '../shared/naming';
import { connectionExtraLines, endpointExtraLines } from './tlsTooltip';
import { multicastAccessibleWords, multicastDescription, multicastTooltipLines } from './multicastLabels';
import { describeInfoError } from './errorText';
import {
  captureLine,
  connectionAccessibleName,
  connectionDescription,
  connectionTimes,
  endpointAccessibleName,
  endpointDescription,
  framingText,
  stateText,
  trafficLine,
} from './labels';

/** A node of the Sockets view: an endpoint (root) or one of its connections / UDP peers. */
export type SocketNode = { type: 'endpoint'; id: string } | { type: 'connection'; id: string; endpointId: string };

/** True when `value` is a node of our tree (commands tell tree clicks from argument objects by this). */
export function isSocketNode(value: unknown): value is SocketNode {
  return typeof value === 'object' && value !== null && nodeMarker in value;
}

const nodeMarker = Symbol('socketLab.node');

/** A node standing for endpoint `id`, as a tree click passes it: a command run with it acts on that endpoint. */
export function endpointNode(id: string): SocketNode {
  const node: SocketNode = { type: 'endpoint', id };
  Object.defineProperty(node, nodeMarker, { value: true });
  return node;
}

/** Tree refreshes at most this often, whatever the traffic (4 a second). */
const TREE_REFRESH_MS = 250;

/**
 * How often a UDP peer's 'last heard 12 s ago' is recomputed while nothing else changes (and only while the
 * view is visible): the text is computed at render, so this is the only refresh the clock causes.
 */
const PEER_AGE_REFRESH_MS = 10000;

const KIND_ICON: Record<EndpointKind, string> = {
  'tcp-listener': 'radio-tower',
  'tcp-client': 'plug',
  udp: 'broadcast',
  'unix-listener': 'server-process',
  'unix-client': 'debug-disconnect',
  relay: 'arrow-swap',
};

/** Provides the Sockets view from the core's endpoints; refreshes are coalesced to 4 a second. */
export class SocketsTreeProvider extends Disposable implements vscode.TreeDataProvider<SocketNode> {
  private readonly _onDidChangeTreeData = this._register(new vscode.EventEmitter<SocketNode | undefined>());
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;

  /** Node objects are cached by id so that the same element is handed back for the same socket. */
  private readonly _nodes = new Map<string, SocketNode>();
  /** Endpoints whose counters changed since the last refresh; `structure` when roots came or went. */
  private readonly _dirty = new Set<string>();
  private _structureChanged = false;
  private readonly _throttle = this._register(new Throttle(TREE_REFRESH_MS, () => this._refresh()));
  /** Connection snapshots from the last getChildren of their endpoint: getTreeItem reads these, so building 10,000 children stays linear. */
  private readonly _connectionSnapshots = new Map<string, ConnectionInfo>();
  /** Counts refreshes, so tests and benchmarks can check the coalescing. */
  refreshCount = 0;
  private _visible = false;

  constructor(private readonly _lab: SocketLab) {
    super();
    this._register(
      _lab.onDidChangeEndpoints((id) => {
        // Roots change with adds/removes; a structural change of one endpoint (its children) is a dirty node.
        if (!_lab.get(id) || !this._nodes.has(id)) this._structureChanged = true;
        this._dirty.add(id);
        this._throttle.schedule();
      }),
    );
    this._register(
      _lab.onDidTraffic((e) => {
        this._dirty.add(e.endpointId);
        this._throttle.schedule();
      }),
    );
    const ages = setInterval(() => this._refreshPeerAges(), PEER_AGE_REFRESH_MS);
    this._register({ dispose: () => clearInterval(ages) });
  }

  /** Follows the view's visibility: a hidden view is never refreshed for the clock. */
  watchVisibility(view: vscode.TreeView<SocketNode>): void {
    this._visible = view.visible;
    this._register(view.onDidChangeVisibility((e) => (this._visible = e.visible)));
  }

  /** Re-renders UDP sockets with peers so their 'last heard … ago' stays roughly true. */
  private _refreshPeerAges(): void {
    if (!this._visible) return;
    let any = false;
    for (const e of this._lab.list()) {
      if (e.kind === 'udp' && e.connections.length && this._nodes.has(e.id)) {
        this._dirty.add(e.id);
        any = true;
      }
    }
    if (any) this._throttle.schedule();
  }

  private _refresh(): void {
    this.refreshCount++;
    if (this._structureChanged || this._dirty.size > 50) {
      this._structureChanged = false;
      this._dirty.clear();
      this._onDidChangeTreeData.fire(undefined);
      return;
    }
    for (const id of this._dirty) {
      const node = this._nodes.get(id);
      if (node) this._onDidChangeTreeData.fire(node);
    }
    this._dirty.clear();
  }

  /** The relays among the endpoints last listed (their connections are pairs, with menus of their own). */
  private _relays = new Set<string>();

  private _node(id: string, endpointId?: string): SocketNode {
    let node = this._nodes.get(id);
    if (!node) {
      node = endpointId === undefined ? { type: 'endpoint', id } : { type: 'connection', id, endpointId };
      Object.defineProperty(node, nodeMarker, { value: true });
      this._nodes.set(id, node);
    }
    return node;
  }

  /** The node for an endpoint or connection id (for `reveal`). */
  nodeFor(id: string): SocketNode | undefined {
    for (const endpoint of this._lab.list()) {
      if (endpoint.id === id) return this._node(id);
      if (endpoint.connections.some((c) => c.id === id)) return this._node(id, endpoint.id);
    }
    return undefined;
  }

  getChildren(element?: SocketNode): SocketNode[] {
    if (!element) {
      const endpoints = this._lab.list();
      const live = new Set(endpoints.map((e) => e.id));
      for (const [id, node] of this._nodes) {
        const owner = node.type === 'endpoint' ? id : node.endpointId;
        if (!live.has(owner)) this._nodes.delete(id);
      }
      this._relays = new Set(endpoints.filter((e) => e.kind === 'relay').map((e) => e.id));
      return endpoints.map((e) => this._node(e.id));
    }
    if (element.type === 'connection') return [];
    const info = this._lab.get(element.id);
    if (!info) return [];
    for (const id of this._connectionSnapshots.keys()) {
      if (id.startsWith(info.id + '.')) this._connectionSnapshots.delete(id);
    }
    return info.connections.map((c) => {
      this._connectionSnapshots.set(c.id, c);
      return this._node(c.id, info.id);
    });
  }

  getParent(element: SocketNode): SocketNode | undefined {
    return element.type === 'connection' ? this._node(element.endpointId) : undefined;
  }

  getTreeItem(element: SocketNode): vscode.TreeItem {
    if (element.type === 'connection') {
      const snapshot =
        this._connectionSnapshots.get(element.id) ??
        this._lab.get(element.endpointId)?.connections.find((c) => c.id === element.id);
      return snapshot
        ? this._connectionItem(element.endpointId, snapshot)
        : new vscode.TreeItem(vscode.l10n.t('(gone)'));
    }
    const endpoint = this._lab.get(element.id);
    return endpoint ? this._endpointItem(endpoint) : new vscode.TreeItem(vscode.l10n.t('(gone)'));
  }

  private _endpointItem(info: EndpointInfo): vscode.TreeItem {
    // Listeners and UDP sockets are containers from the start: VS Code keeps an item that was first
    // shown without children collapsed when children arrive, and users want to see who connected.
    const isContainer = !isClient(info);
    const item = new vscode.TreeItem(
      endpointName(info),
      isContainer || info.connections.length
        ? vscode.TreeItemCollapsibleState.Expanded
        : vscode.TreeItemCollapsibleState.None,
    );
    item.id = info.id;
    item.description = [endpointDescription(info), ...multicastDescription(info)].filter(Boolean).join(' · ');
    item.accessibilityInformation = {
      label: [endpointAccessibleName(info), ...multicastAccessibleWords(info)].join(', '),
    };
    const live = isLive(info.state);
    // '.halfclosed' once we sent FIN: nothing more can be sent, so the send and half-close menus go away.
    // '.ca' when it has a generated CA to copy (a TLS listener or relay); '.mcast' when it has groups to leave.
    item.contextValue = `endpoint.${info.kind}.${live ? (info.localEnded ? 'halfclosed' : 'live') : 'dead'}${info.tls?.caPath ? '.ca' : ''}${info.multicastGroups?.length ? '.mcast' : ''}`;
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
      arguments: [this._node(info.id)],
    };
    return item;
  }

  /**
   * Tooltips are built only when VS Code asks (on hover): Markdown for each of 10,000 children on every
   * refresh would be half of the tree's cost.
   */
  resolveTreeItem(item: vscode.TreeItem, element: SocketNode): vscode.TreeItem {
    if (element.type === 'endpoint') {
      const info = this._lab.get(element.id);
      if (info) item.tooltip = this._endpointTooltip(info);
    } else {
      const c =
        this._connectionSnapshots.get(element.id) ??
        this._lab.get(element.endpointId)?.connections.find((x) => x.id === element.id);
      if (c)
        item.tooltip = this._connectionTooltip(
          c,
          typeof item.label === 'string' ? item.label : c.id,
          isPeerId(element.endpointId, c.id),
        );
    }
    return item;
  }

  private _endpointTooltip(info: EndpointInfo): vscode.MarkdownString {
    const md = new vscode.MarkdownString(undefined, true);
    md.isTrusted = false;
    md.appendMarkdown(`**${escapeMarkdown(endpointName(info))}** \`${info.id}\`\n\n`);
    md.appendMarkdown(`${escapeMarkdown(vscode.l10n.t('State'))}: ${escapeMarkdown(stateText(info.state))}\n\n`);
    if (info.local)
      md.appendMarkdown(`${escapeMarkdown(vscode.l10n.t('Local'))}: \`${formatAddress(info.local)}\`\n\n`);
    if (info.remote)
      md.appendMarkdown(`${escapeMarkdown(vscode.l10n.t('Remote'))}: \`${formatAddress(info.remote)}\`\n\n`);
    if (info.host) md.appendMarkdown(`${escapeMarkdown(vscode.l10n.t('Host'))}: \`${info.host}\`\n\n`);
    const children = info.connections.filter((c) => c.state === 'connected').length;
    if (!isClient(info) && info.kind !== 'udp')
      md.appendMarkdown(escapeMarkdown(vscode.l10n.t('Open connections: {0}', children)) + '\n\n');
    if (info.autoReply) md.appendMarkdown(escapeMarkdown(vscode.l10n.t('Auto-reply: on')) + '\n\n');
    if (info.capturePath)
      md.appendMarkdown(`${escapeMarkdown(vscode.l10n.t('Capturing to'))}: \`${info.capturePath}\`\n\n`);
    if (info.framing)
      md.appendMarkdown(
        `${escapeMarkdown(vscode.l10n.t('Framing'))}: ${escapeMarkdown(
          info.framing.mode === 'none' ? vscode.l10n.t('none (each read is a record)') : framingText(info.framing),
        )}\n\n`,
      );
    md.appendMarkdown(escapeMarkdown(trafficLine(info)) + '\n\n');
    if (info.dropped)
      md.appendMarkdown(
        escapeMarkdown(vscode.l10n.t('{0} old log records dropped by the log cap', info.dropped)) + '\n\n',
      );
    const capture = captureLine(info);
    if (capture) md.appendMarkdown(`$(record) ${escapeMarkdown(capture)}\n\n`);
    for (const line of endpointExtraLines(info, escapeMarkdown)) md.appendMarkdown(line + '\n\n');
    for (const line of multicastTooltipLines(info, escapeMarkdown)) md.appendMarkdown(line + '\n\n');
    if (info.maxConnections !== undefined)
      md.appendMarkdown(
        escapeMarkdown(
          info.refusedConnections
            ? vscode.l10n.t(
                'At most {0} connections at once; {1} refused at that limit',
                info.maxConnections,
                info.refusedConnections,
              )
            : vscode.l10n.t('At most {0} connections at once', info.maxConnections),
        ) + '\n\n',
      );
    for (const off of info.autoReplyRulesOff ?? [])
      md.appendMarkdown(
        `$(warning) ${escapeMarkdown(vscode.l10n.t('Auto-reply rule {0} is switched off: {1}', off.rule + 1, describeInfoError(off) ?? off.error))}\n\n`,
      );
    const error = describeInfoError(info);
    if (error) md.appendMarkdown(`$(error) ${escapeMarkdown(error)}`);
    return md;
  }

  private _connectionItem(endpointId: string, c: ConnectionInfo): vscode.TreeItem {
    const item = new vscode.TreeItem(connectionLabel(c), vscode.TreeItemCollapsibleState.None);
    item.id = c.id;
    const open = c.state === 'connected';
    const isPeer = isPeerId(endpointId, c.id);
    item.description = connectionDescription(c, isPeer);
    item.accessibilityInformation = { label: connectionAccessibleName(c, connectionLabel(c), isPeer) };
    // A relay pair ('.r'): its FINs pass through by themselves, so it has no half-close of its own.
    const kind = isPeer ? 'peer' : this._relays.has(endpointId) ? 'relay' : 'stream';
    item.contextValue = `connection.${kind}.${open ? (c.localEnded ? 'halfclosed' : 'live') : 'dead'}`;
    // A closed row looks closed: a struck-through circle in the disabled colour (a UDP peer never closes).
    const icon = c.error ? 'error' : isPeer ? 'account' : open ? 'arrow-swap' : 'circle-slash';
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

  private _connectionTooltip(c: ConnectionInfo, label: string, isPeer: boolean): vscode.MarkdownString {
    const md = new vscode.MarkdownString(undefined, true);
    md.isTrusted = false;
    md.appendMarkdown(`**${escapeMarkdown(label)}** \`${c.id}\`\n\n`);
    if (!isPeer)
      md.appendMarkdown(`${escapeMarkdown(vscode.l10n.t('State'))}: ${escapeMarkdown(stateText(c.state))}\n\n`);
    if (c.local) md.appendMarkdown(`${escapeMarkdown(vscode.l10n.t('Local'))}: \`${formatAddress(c.local)}\`\n\n`);
    md.appendMarkdown(`${escapeMarkdown(vscode.l10n.t('Remote'))}: \`${formatAddress(c.remote)}\`\n\n`);
    for (const line of connectionTimes(c, isPeer)) md.appendMarkdown(escapeMarkdown(line) + '\n\n');
    md.appendMarkdown(escapeMarkdown(trafficLine(c)));
    for (const line of connectionExtraLines(c, escapeMarkdown)) md.appendMarkdown('\n\n' + line);
    // Why it closed (a reset by the peer...), as the endpoint tooltip does for endpoints.
    const error = describeInfoError(c);
    if (error) md.appendMarkdown(`\n\n$(error) ${escapeMarkdown(error)}`);
    return md;
  }
}

/** UDP peers have ids '<endpointId>.p3'; accepted connections '<endpointId>.c3'. */
function isPeerId(endpointId: string, connectionId: string): boolean {
  return connectionId.startsWith(`${endpointId}.p`);
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (ch) => `\\${ch}`);
}
