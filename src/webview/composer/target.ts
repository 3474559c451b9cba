/**
 * Where the composer sends: a listener's connections (all, or one), a UDP socket's destination (following the
 * last peer heard from until the user writes one, with that peer named and the peers heard from offered), or
 * the client's own peer.
 */
import type { VscodeButton } from '@vscode-elements/elements/dist/vscode-button/vscode-button.js';
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/vscode-single-select.js';
import type { VscodeTextfield } from '@vscode-elements/elements/dist/vscode-textfield/vscode-textfield.js';
import type { EndpointView, RecordView } from '../../shared/protocol';
import { el, labelled, select } from '../dom';
import { session } from '../session';
import { SocketLabError } from '../../shared/errors';
import { isListener, parseHostPort } from '../../shared/naming';
import { persist, state } from '../state';
import { t } from '../strings';

/** The target's place in the composer (its content follows the endpoint). */
export const targetBox = el('div', { class: 'field target' });

/** The Destination field, its hint and the peers offered, kept while the endpoint updates so that typing is never interrupted. */
let destination:
  | { field: VscodeTextfield; follow: VscodeButton; hint: HTMLElement; peers: VscodeSingleSelect; peerList: string }
  | undefined;

let changed: () => void = () => undefined;

/** Calls `listener` when the user picks another target or destination. */
export function onTargetChanged(listener: () => void): void {
  changed = listener;
}

/** Shows the target control the endpoint needs, with the saved choice when it still applies. */
export function renderTarget(): void {
  const endpoint = session.endpoint;
  if (!endpoint) {
    targetBox.replaceChildren();
    destination = undefined;
    return;
  }
  if (isListener(endpoint.kind)) {
    const options: [string, string][] = [
      [endpoint.id, t('allConnections')],
      ...endpoint.connections.filter((c) => c.state === 'connected').map((c): [string, string] => [c.id, c.label]),
    ];
    if (!options.some(([v]) => v === state.target)) state.target = endpoint.id;
    const onPick = (v: string) => {
      state.target = v;
      persist();
      changed();
    };
    targetBox.replaceChildren(labelled(t('target'), select('target', options, state.target, t('target'), onPick)));
  } else if (endpoint.needsDestination) {
    state.target = endpoint.id;
    if (endpoint.lastPeer) followPeer(endpoint.lastPeer);
    if (!destination || !targetBox.contains(destination.field)) {
      destination = buildDestination();
      targetBox.replaceChildren(
        labelled(t('destination'), destination.field),
        destination.follow,
        destination.peers,
        destination.hint,
      );
    }
    if (destination.field.value !== state.to) destination.field.value = state.to;
    updatePeers(endpoint);
    updateDestinationHint();
  } else {
    state.target = endpoint.id;
    targetBox.replaceChildren(labelled(t('target'), el('span', { class: 'static-target', text: endpoint.label })));
  }
}

function buildDestination(): NonNullable<typeof destination> {
  const field = el('vscode-textfield', {
    id: 'destination',
    placeholder: t('destinationPlaceholder'),
    label: t('destination'),
  });
  field.addEventListener('input', () => {
    state.to = field.value;
    // Emptied: back to following the last peer.
    state.toEdited = state.to.trim() !== '';
    persist();
    updateDestinationHint();
    changed();
  });
  const follow = el('vscode-button', {
    id: 'follow-peer',
    secondary: true,
    icon: 'debug-restart',
    text: t('followPeer'),
    title: t('followPeerHint'),
    onclick: () => {
      state.toEdited = false;
      setDestination(session.endpoint?.lastPeer ?? '');
    },
  });
  const peers = select('peers', [['', t('peersHeard')]], '', t('peersHeardName'), (v) => {
    if (!v) return;
    state.toEdited = true;
    setDestination(v);
    peers.value = '';
  });
  const hint = el('span', { id: 'destination-hint', class: 'muted' });
  return { field, follow, hint, peers, peerList: '' };
}

function setDestination(to: string): void {
  state.to = to;
  persist();
  if (destination) destination.field.value = to;
  updateDestinationHint();
  changed();
}

/** Offers the peers heard from (as a listener's Target offers its connections); rebuilt only when they change. */
function updatePeers(endpoint: EndpointView): void {
  if (!destination) return;
  const peers = endpoint.connections.map((c) => c.label);
  const list = peers.join('\n');
  destination.peers.hidden = peers.length === 0;
  if (list === destination.peerList) return;
  destination.peerList = list;
  destination.peers.replaceChildren(
    el('vscode-option', { value: '', text: t('peersHeard') }),
    ...peers.map((p) => el('vscode-option', { value: p, text: p })),
  );
  destination.peers.value = '';
}

/** A UDP peer was heard from: the destination follows it unless the user wrote their own. */
export function followPeer(peer: string): void {
  if (state.toEdited || state.to === peer) return;
  state.to = peer;
  persist();
  if (destination) destination.field.value = peer;
  updateDestinationHint();
}

/** A batch of traffic: a UDP destination follows the newest peer heard from (the host posts the endpoint only when it changes). */
export function followNewestPeer(records: readonly RecordView[]): void {
  const endpoint = session.endpoint;
  if (!endpoint?.needsDestination) return;
  for (let i = records.length - 1; i >= 0; i--) {
    const r = records[i];
    if (r.dir !== 'in') continue;
    endpoint.lastPeer = r.peer;
    followPeer(r.peer);
    break;
  }
}

/**
 * Says where an empty or following Destination sends (the last peer, by its address, or that none was heard
 * from yet), and offers to follow it again when the user wrote their own.
 */
function updateDestinationHint(): void {
  if (!destination) return;
  const lastPeer = session.endpoint?.lastPeer;
  const edited = state.toEdited && !!lastPeer && state.to.trim() !== lastPeer;
  destination.follow.hidden = !edited;
  const text = edited ? '' : lastPeer ? t('followingPeerNamed', lastPeer) : t('noPeerYet');
  if (destination.hint.textContent !== text) destination.hint.textContent = text;
}

/** Where a send goes: the endpoint's target, and for a UDP socket the destination. Throws a sentence when it is not host:port. */
export function sendTarget(endpoint: NonNullable<typeof session.endpoint>): {
  target: string;
  to?: { host: string; port: number };
} {
  const target = state.target || endpoint.id;
  if (!endpoint.needsDestination) return { target };
  const written = state.to.trim() || endpoint.lastPeer || '';
  if (!written) throw new Error(t('noDestination'));
  // The same parser as the host's prompts: the panel never accepts a destination the core would refuse.
  const to = parseHostPort(written.trim());
  if (to instanceof SocketLabError) throw new Error(t('badDestination'));
  return { target, to };
}
