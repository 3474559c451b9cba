/** The localized words the Sockets view, the send panel and the output log show for endpoints and connections. */
import * as vscode from 'vscode';
import type { ConnectionInfo, EndpointInfo } from '../shared/model';
import { formatBytes } from '../shared/display';
import { describeFraming, type FramingSpec } from '../shared/framing';
import { isClient, isListener } from '../shared/naming';

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

/** '↓1.2 KB ↑300 B' */
export function countersText(x: { bytesIn: number; bytesOut: number }): string {
  return `↓${formatBytes(x.bytesIn)} ↑${formatBytes(x.bytesOut)}`;
}

/** A framing in the display language: 'line (any)', 'length 2 BE at 4, +0'. */
export function framingText(spec: FramingSpec): string {
  return describeFraming(spec, (template, values) => vscode.l10n.t(template, values));
}

/** 'listening · 2 clients · line (any) · ↓1.2 KB ↑300 B' (the framing only when it cuts reads into frames). */
export function endpointDescription(info: EndpointInfo): string {
  const parts = [stateText(info.state)];
  const live = info.connections.filter((c) => c.state === 'connected').length;
  if (isListener(info.kind)) {
    parts.push(live === 1 ? vscode.l10n.t('1 client') : vscode.l10n.t('{0} clients', live));
  } else if (!isClient(info)) {
    parts.push(
      info.connections.length === 1 ? vscode.l10n.t('1 peer') : vscode.l10n.t('{0} peers', info.connections.length),
    );
  }
  if (info.peerEnded && info.state === 'connected') parts.push(vscode.l10n.t('peer closed its side'));
  if (info.localEnded && info.state === 'connected') parts.push(vscode.l10n.t('our sending side closed'));
  if (info.framing && info.framing.mode !== 'none') parts.push(framingText(info.framing));
  parts.push(countersText(info));
  return parts.join(' · ');
}

/** 'connected · peer closed its side · ↓1.2 KB ↑300 B' */
export function connectionDescription(c: ConnectionInfo): string {
  const open = c.state === 'connected';
  const ends = [
    ...(c.peerEnded && open ? [vscode.l10n.t('peer closed its side')] : []),
    ...(c.localEnded && open ? [vscode.l10n.t('our sending side closed')] : []),
  ];
  return [stateText(c.state), ...ends, countersText(c)].join(' · ');
}

/** 'In: 1.2 kB in 3 messages · Out: …', with 'message' for one. */
export function trafficLine(c: { bytesIn: number; messagesIn: number; bytesOut: number; messagesOut: number }): string {
  const part = (bytes: number, messages: number) =>
    messages === 1
      ? vscode.l10n.t('{0} in 1 message', formatBytes(bytes))
      : vscode.l10n.t('{0} in {1} messages', formatBytes(bytes), messages);
  return vscode.l10n.t('In: {0} · Out: {1}', part(c.bytesIn, c.messagesIn), part(c.bytesOut, c.messagesOut));
}
