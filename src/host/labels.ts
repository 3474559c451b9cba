/** The localized words the Sockets view, the status bar, the send panel and the output log show for endpoints and connections. */
import * as vscode from 'vscode';
import type { ConnectionInfo, EndpointInfo, SocketAddressInfo } from '../shared/model';
import { formatBytes, formatTime } from '../shared/display';
import { describeFraming, type FramingSpec } from '../shared/framing';
import { endpointName, isClient, isListener } from '../shared/naming';

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

function liveConnections(info: EndpointInfo): number {
  return info.connections.filter((c) => c.state === 'connected').length;
}

/** '1 client' / '3 clients' for a listener, '1 peer' / '3 peers' for a UDP socket, undefined for a client. */
function childrenText(info: EndpointInfo): string | undefined {
  if (isListener(info.kind)) {
    const live = liveConnections(info);
    return live === 1 ? vscode.l10n.t('1 client') : vscode.l10n.t('{0} clients', live);
  }
  if (isClient(info)) return undefined;
  const peers = info.connections.length;
  return peers === 1 ? vscode.l10n.t('1 peer') : vscode.l10n.t('{0} peers', peers);
}

/**
 * The short description beside an endpoint's name, short enough for the default sidebar width with the row's
 * inline actions showing. The normal live state is said by the icon (dimmed when not live), so words come only
 * for the rest: 'clients: 2' for a listening listener, 'peers: 1' for a UDP socket (a word first: a digit
 * right after the name's port would read as part of it), '↓1.2 KB ↑300 B' for a
 * connected client, 'closed · …', 'error · …', 'connecting · …', 'peer half-closed · …'. The totals and the
 * state in words are in the tooltip and the accessible name.
 */
export function endpointDescription(info: EndpointInfo): string {
  const normal = info.state === 'listening' || (info.state === 'connected' && isClient(info));
  const parts = normal ? [] : [stateText(info.state)];
  if (isListener(info.kind)) {
    parts.push(vscode.l10n.t('clients: {0}', liveConnections(info)));
  } else if (!isClient(info)) {
    parts.push(vscode.l10n.t('peers: {0}', info.connections.length));
  } else {
    if (info.state === 'connected') parts.push(...halfCloseWords(info));
    parts.push(countersText(info));
  }
  if (info.framing && info.framing.mode !== 'none') parts.push(framingText(info.framing));
  return parts.join(' · ');
}

/** 'peer half-closed' (it sent FIN) and/or 'we half-closed' (we did): short words for a row's description. */
function halfCloseWords(x: { peerEnded?: boolean; localEnded?: boolean }): string[] {
  return [
    ...(x.peerEnded ? [vscode.l10n.t('peer half-closed')] : []),
    ...(x.localEnded ? [vscode.l10n.t('we half-closed')] : []),
  ];
}

/** '5 s ago', '3 min ago', or the clock time for anything older than an hour; `now` is the render time. */
export function agoText(epochMs: number, now: number): string {
  const seconds = Math.max(0, Math.floor((now - epochMs) / 1000));
  if (seconds < 60) return vscode.l10n.t('{0} s ago', seconds);
  if (seconds < 3600) return vscode.l10n.t('{0} min ago', Math.floor(seconds / 60));
  return vscode.l10n.t('at {0}', formatTime(epochMs).slice(0, 8));
}

/**
 * The short description of a connection row: '↓1.2 KB ↑300 B' while open (the row's icon says it is),
 * 'closed · ↓…' once closed, 'we half-closed · ↓…' after our FIN. A UDP peer (`isPeer`) is never 'connected':
 * UDP has no connection, so its row says when it was last heard from ('last heard 12 s ago', computed at `now`,
 * the render time), its bytes being in the tooltip and the accessible name.
 */
export function connectionDescription(c: ConnectionInfo, isPeer = false, now = Date.now()): string {
  if (isPeer) {
    const heard = c.lastInAt ?? c.openedAt;
    return heard === undefined ? countersText(c) : vscode.l10n.t('last heard {0}', agoText(heard, now));
  }
  const parts = c.state !== 'connected' ? [stateText(c.state)] : halfCloseWords(c);
  parts.push(countersText(c));
  return parts.join(' · ');
}

/** 'In: 1.2 kB in 3 messages · Out: …', with 'message' for one. */
export function trafficLine(c: { bytesIn: number; messagesIn: number; bytesOut: number; messagesOut: number }): string {
  const part = (bytes: number, messages: number) =>
    messages === 1
      ? vscode.l10n.t('{0} in 1 message', formatBytes(bytes))
      : vscode.l10n.t('{0} in {1} messages', formatBytes(bytes), messages);
  return vscode.l10n.t('In: {0} · Out: {1}', part(c.bytesIn, c.messagesIn), part(c.bytesOut, c.messagesOut));
}

/** The lines of a connection's tooltip: connected at, last received, last sent, closed at (clock times). */
export function connectionTimes(c: ConnectionInfo, isPeer: boolean): string[] {
  const lines: string[] = [];
  const at = (t: number) => formatTime(t, true).slice(0, 19);
  if (c.openedAt !== undefined)
    lines.push(
      isPeer ? vscode.l10n.t('First heard: {0}', at(c.openedAt)) : vscode.l10n.t('Connected at: {0}', at(c.openedAt)),
    );
  if (c.lastInAt !== undefined) lines.push(vscode.l10n.t('Last received: {0}', at(c.lastInAt)));
  if (c.lastOutAt !== undefined) lines.push(vscode.l10n.t('Last sent: {0}', at(c.lastOutAt)));
  if (c.closedAt !== undefined) lines.push(vscode.l10n.t('Closed at: {0}', at(c.closedAt)));
  return lines;
}

/** An address in words: '127.0.0.1 port 34479', or the Unix path. */
function addressWords(a: SocketAddressInfo | undefined): string {
  if (!a) return '';
  return 'path' in a ? a.path : vscode.l10n.t('{0} port {1}', a.address, a.port);
}

/** 'received 6.5 KB, sent 42 B' */
function countersWords(x: { bytesIn: number; bytesOut: number }): string {
  return vscode.l10n.t('received {0}, sent {1}', formatBytes(x.bytesIn), formatBytes(x.bytesOut));
}

/**
 * What a screen reader says for an endpoint row, in words and without symbols: 'TCP listener on 127.0.0.1
 * port 34479, listening, 1 client, received 6.5 KB, sent 42 B'. It changes only when the state or the
 * counts do, never with the clock.
 */
export function endpointAccessibleName(info: EndpointInfo): string {
  const where = isClient(info) ? addressWords(info.remote) : addressWords(info.local);
  let what: string;
  switch (info.kind) {
    case 'tcp-listener':
      if (info.tls) what = where ? vscode.l10n.t('TLS listener on {0}', where) : vscode.l10n.t('TLS listener');
      else what = where ? vscode.l10n.t('TCP listener on {0}', where) : vscode.l10n.t('TCP listener');
      break;
    case 'tcp-client':
      if (info.tls) what = where ? vscode.l10n.t('TLS client to {0}', where) : vscode.l10n.t('TLS client');
      else what = where ? vscode.l10n.t('TCP client to {0}', where) : vscode.l10n.t('TCP client');
      break;
    case 'relay':
      what = relayWords(info);
      break;
    case 'udp':
      what = isClient(info)
        ? vscode.l10n.t('UDP client to {0}', where)
        : where
          ? vscode.l10n.t('UDP socket on {0}', where)
          : vscode.l10n.t('UDP socket');
      break;
    case 'unix-listener':
      what = where ? vscode.l10n.t('Unix socket listener on {0}', where) : vscode.l10n.t('Unix socket listener');
      break;
    case 'unix-client':
      what = where ? vscode.l10n.t('Unix socket client to {0}', where) : vscode.l10n.t('Unix socket client');
      break;
    default:
      what = endpointName(info);
  }
  const parts = [what, stateText(info.state)];
  const children = childrenText(info);
  if (children !== undefined) parts.push(children);
  if (info.peerEnded && info.state === 'connected') parts.push(vscode.l10n.t('peer closed its side'));
  if (info.localEnded && info.state === 'connected') parts.push(vscode.l10n.t('our sending side closed'));
  parts.push(countersWords(info));
  return parts.join(', ');
}

/** A relay in words (no arrow): 'TCP relay from 127.0.0.1 port 1884 to 127.0.0.1 port 1883'. */
function relayWords(info: EndpointInfo): string {
  const from = addressWords(info.local);
  const to = addressWords(info.remote);
  const udp = info.relay?.protocol === 'udp';
  if (!from) return udp ? vscode.l10n.t('UDP relay') : vscode.l10n.t('TCP relay');
  if (!to) return udp ? vscode.l10n.t('UDP relay on {0}', from) : vscode.l10n.t('TCP relay on {0}', from);
  return udp
    ? vscode.l10n.t('UDP relay from {0} to {1}', from, to)
    : vscode.l10n.t('TCP relay from {0} to {1}', from, to);
}

/**
 * What a screen reader says for a connection row: 'Connection from 127.0.0.1 port 44718, connected, received
 * 18 B, sent 0 B'; a UDP peer: 'UDP peer 127.0.0.1 port 5000, last heard at 09:45:46, received …' (a clock
 * time, not '12 s ago', so the name does not change while nothing happens).
 */
export function connectionAccessibleName(c: ConnectionInfo, label: string, isPeer: boolean): string {
  const who = 'path' in c.remote ? label : addressWords(c.remote);
  const parts: string[] = [];
  if (isPeer) {
    parts.push(vscode.l10n.t('UDP peer {0}', who));
    const heard = c.lastInAt ?? c.openedAt;
    if (heard !== undefined) parts.push(vscode.l10n.t('last heard at {0}', formatTime(heard).slice(0, 8)));
  } else {
    parts.push(vscode.l10n.t('Connection from {0}', who), stateText(c.state));
    if (c.peerEnded && c.state === 'connected') parts.push(vscode.l10n.t('peer closed its side'));
    if (c.localEnded && c.state === 'connected') parts.push(vscode.l10n.t('our sending side closed'));
  }
  parts.push(countersWords(c));
  return parts.join(', ');
}

/** The status bar's words: '1 listener · 2 connections' (open listeners and UDP sockets; accepted connections and clients), '1 connection' with no listener. */
export function statusText(counts: { listeners: number; connections: number }): string {
  const listeners =
    counts.listeners === 1 ? vscode.l10n.t('1 listener') : vscode.l10n.t('{0} listeners', counts.listeners);
  const connections =
    counts.connections === 1 ? vscode.l10n.t('1 connection') : vscode.l10n.t('{0} connections', counts.connections);
  return counts.listeners ? `${listeners} · ${connections}` : connections;
}

/** The capture state of an endpoint as the Sockets view's tooltip says it, or undefined when not capturing. */
export function captureLine(info: EndpointInfo): string | undefined {
  if (!info.capturePath) return undefined;
  if (info.captureStoppedTemplate) return vscode.l10n.t(info.captureStoppedTemplate, info.captureStoppedValues ?? {});
  return vscode.l10n.t(
    'Capturing ({0}) to {1}: {2} of {3}',
    info.captureFormat ?? '',
    info.capturePath,
    formatBytes(info.captureBytes ?? 0),
    formatBytes(info.captureMaxBytes ?? 0),
  );
}
