/**
 * Where the composer sends: a listener's connections (all, or one), a UDP socket's destination (following
 * the last peer heard from until the user writes one), or the client's own peer.
 */
import type { VscodeButton } from '@vscode-elements/elements/dist/vscode-button/vscode-button.js';
import type { VscodeTextfield } from '@vscode-elements/elements/dist/vscode-textfield/vscode-textfield.js';
import type { RecordView } from '../../shared/protocol';
import { el, labelled, select } from '../dom';
import { isListenerView, session } from '../session';
import { persist, state } from '../state';
import { t } from '../strings';

/** The target's place in the composer (its content follows the endpoint). */
export const targetBox = el('div', { class: 'field target' });

/** The Destination field and its hint, kept while the endpoint updates so that typing in it is never interrupted. */
let destination: { field: VscodeTextfield; follow: VscodeButton; hint: HTMLElement } | undefined;

/** Shows the target control the endpoint needs, with the saved choice when it still applies. */
export function renderTarget(): void {
  const endpoint = session.endpoint;
  if (!endpoint) {
    targetBox.replaceChildren();
    return;
  }
  if (isListenerView(endpoint)) {
    const options: [string, string][] = [
      [endpoint.id, t('allConnections')],
      ...endpoint.connections.filter((c) => c.state === 'connected').map((c): [string, string] => [c.id, c.label]),
    ];
    if (!options.some(([v]) => v === state.target)) state.target = endpoint.id;
    const onPick = (v: string) => {
      state.target = v;
      persist();
    };
    targetBox.replaceChildren(labelled(t('target'), select('target', options, state.target, t('target'), onPick)));
  } else if (endpoint.needsDestination) {
    state.target = endpoint.id;
    if (endpoint.lastPeer) followPeer(endpoint.lastPeer);
    if (!destination || !targetBox.contains(destination.field)) {
      destination = buildDestination();
      targetBox.replaceChildren(labelled(t('destination'), destination.field), destination.follow, destination.hint);
    }
    if (destination.field.value !== state.to) destination.field.value = state.to;
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
    'aria-label': t('destination'),
    label: t('destination'),
  });
  field.addEventListener('input', () => {
    state.to = field.value;
    // Emptied: back to following the last peer.
    state.toEdited = state.to.trim() !== '';
    persist();
    updateDestinationHint();
  });
  const follow = el('vscode-button', {
    id: 'follow-peer',
    secondary: true,
    icon: 'debug-restart',
    text: t('followPeer'),
    title: t('followPeerHint'),
    onclick: () => {
      state.toEdited = false;
      state.to = session.endpoint?.lastPeer ?? '';
      persist();
      field.value = state.to;
      updateDestinationHint();
    },
  });
  const hint = el('span', { id: 'destination-hint', class: 'muted' });
  return { field, follow, hint };
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

/** Says whether the destination follows the last peer, and offers to follow it again when the user wrote their own. */
function updateDestinationHint(): void {
  if (!destination) return;
  const lastPeer = session.endpoint?.lastPeer;
  const edited = state.toEdited && !!lastPeer && state.to.trim() !== lastPeer;
  destination.follow.hidden = !edited;
  const text = edited ? '' : t('followingPeer');
  if (destination.hint.textContent !== text) destination.hint.textContent = text;
}

/** Where a send goes: the endpoint's target, and for a UDP socket the destination. Throws a sentence when it is not host:port. */
export function sendTarget(endpoint: NonNullable<typeof session.endpoint>): {
  target: string;
  to?: { host: string; port: number };
} {
  const target = state.target || endpoint.id;
  if (!endpoint.needsDestination) return { target };
  const to = parseHostPort(state.to || endpoint.lastPeer || '');
  if (!to) throw new Error(t('badDestination'));
  return { target, to };
}

/** 'host:port' or '[v6]:port' -> its parts; undefined when it is neither. The panel's only host:port parser. */
export function parseHostPort(text: string): { host: string; port: number } | undefined {
  const m = /^\s*\[?([^\]]+?)\]?:(\d{1,5})\s*$/.exec(text);
  return m ? { host: m[1], port: Number(m[2]) } : undefined;
}
