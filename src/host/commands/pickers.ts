/** The palette's quick picks: which endpoint, connection or repeat a command is for. */
import * as vscode from 'vscode';
import type { SocketLab } from '../../core/socketLab';
import type { ConnectionInfo, EndpointInfo } from '../../shared/model';
import { connectionLabel, endpointName, isClient, isListener, isLive } from '../../shared/naming';
import { stepTitle, type Step } from '../prompts';

type PickItem = vscode.QuickPickItem & { id: string };

/** A quick-pick row for an endpoint, named as the Sockets view and the panel name it. */
function endpointPick(e: EndpointInfo): PickItem {
  return { label: endpointName(e), description: `${e.id} · ${e.state}`, id: e.id };
}

/** A quick-pick row for a connection or UDP peer. */
function connectionPick(c: ConnectionInfo): PickItem {
  return { label: `$(arrow-swap) ${connectionLabel(c, true)}`, description: c.id, id: c.id };
}

/** Shows `items` (or `emptyMessage` when there are none); returns the picked id. */
async function pickFrom(
  items: PickItem[],
  title: string,
  emptyMessage: string,
  matchOnDescription = true,
): Promise<string | undefined> {
  if (!items.length) {
    void vscode.window.showInformationMessage(emptyMessage);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(items, { title, matchOnDescription });
  return picked?.id;
}

/** Asks which endpoint (or, with `withConnections`, which live connection) a command is for. */
export function pickTarget(
  lab: SocketLab,
  title: string,
  withConnections: boolean,
  step?: Step,
): Promise<string | undefined> {
  const items: PickItem[] = [];
  for (const e of lab.list()) {
    items.push(endpointPick(e));
    if (withConnections) for (const c of e.connections) if (c.state === 'connected') items.push(connectionPick(c));
  }
  return pickFrom(
    items,
    stepTitle(title, step),
    vscode.l10n.t('No socket is open: start a listener or connect a client first.'),
  );
}

/** Asks which TCP/Unix client or accepted connection to half-close (only those still sending are offered). */
export function pickHalfClosable(lab: SocketLab): Promise<string | undefined> {
  const items: PickItem[] = [];
  for (const e of lab.list()) {
    if (isClient(e) && e.kind !== 'udp' && e.state === 'connected' && !e.localEnded) items.push(endpointPick(e));
    if (isListener(e.kind))
      for (const c of e.connections) if (c.state === 'connected' && !c.localEnded) items.push(connectionPick(c));
  }
  return pickFrom(
    items,
    vscode.l10n.t('Close Sending Side (FIN)'),
    vscode.l10n.t('No TCP or Unix connection is sending: there is nothing to half-close.'),
  );
}

/** Asks which TCP, TLS or Unix endpoint to change the framing of (UDP keeps one record per datagram; a relay passes bytes through). */
export function pickFramable(lab: SocketLab): Promise<string | undefined> {
  const items = lab
    .list()
    .filter((e) => e.kind !== 'udp' && e.kind !== 'relay')
    .map(endpointPick);
  return pickFrom(
    items,
    vscode.l10n.t('Set Framing'),
    vscode.l10n.t('No TCP or Unix socket is open: framing is only for streams.'),
  );
}

/** Asks which open UDP socket a broadcast or multicast command is for (those `accept`s, when given). */
export function pickUdpSocket(
  lab: SocketLab,
  title: string,
  accept: (e: EndpointInfo) => boolean = () => true,
  emptyMessage = vscode.l10n.t('No UDP socket is open: start a UDP listener first.'),
): Promise<string | undefined> {
  const items = lab
    .list()
    .filter((e) => e.kind === 'udp' && isLive(e.state) && accept(e))
    .map(endpointPick);
  return pickFrom(items, title, emptyMessage);
}

/** Asks which running repeat to stop. */
export function pickRepeat(lab: SocketLab): Promise<string | undefined> {
  const items = lab.activeRepeats().map((r) => ({
    label: r.id,
    description: vscode.l10n.t('to {0} every {1} ms, {2} sent', r.target, r.intervalMs, r.sent),
    id: r.id,
  }));
  return pickFrom(items, vscode.l10n.t('Stop Repeat'), vscode.l10n.t('No repeat is running.'), false);
}
