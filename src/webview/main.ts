/**
 * The send panel in the browser: starts the sections and runs the message loop. Every message from the
 * host is validated (shared/protocol) before use; requests go through rpc.ts and come back as typed
 * promises. The sections: composer/ (what to send), autoReply/ (what to answer), traffic/ (the log).
 */
import './main.css';
import { parseHostMessage, type HostMessage } from '../shared/protocol';
import { announcer } from './announcer';
import { autoReplySection, buildAutoReply, hasAutoReplyBox, renderAutoReplyState } from './autoReply/autoReply';
import { buildComposer, composer, focusPayload, setComposerEnabled } from './composer/composer';
import { endpointGone, onRepeatMessage } from './composer/repeat';
import { followNewestPeer, renderTarget } from './composer/target';
import { banner, buildHeader, header, renderHeader } from './header';
import { buildMulticast, multicastSection, renderMulticast } from './multicast';
import { settle } from './rpc';
import { session } from './session';
import { hadSavedDraft, persist, state } from './state';
import { setStrings } from './strings';
import {
  buildTraffic,
  listenToTraffic,
  onReset,
  onTraffic,
  refilter,
  showSavedLog,
  trafficSection,
} from './traffic/traffic';
import { vscode } from './vscodeApi';

const app = document.getElementById('app')!;

/** `init`: the strings, the encodings, the endpoint and the defaults; builds the panel. */
function onInit(m: Extract<HostMessage, { type: 'init' }>): void {
  setStrings(m.strings);
  session.encodings = m.encodings.length ? m.encodings : ['utf8'];
  session.endpoint = m.endpoint;
  if (state.endpointId !== m.endpointId || !hadSavedDraft) {
    if (!hadSavedDraft) state.draft = { ...state.draft, ...m.defaults };
    state.endpointId = m.endpointId;
  }
  state.label = m.label;
  persist();
  buildHeader();
  buildComposer();
  buildAutoReply();
  buildMulticast();
  buildTraffic();
  listenToTraffic();
  renderEndpoint();
  app.removeAttribute('aria-busy');
  app.replaceChildren(header, banner, composer, autoReplySection, multicastSection, trafficSection, announcer);
  // A live endpoint's log comes with the host's `reset`; a gone one's is what the panel saved.
  if (!m.endpoint) showSavedLog(m.endpointId);
  refilter();
  focusComposerWhenFocused();
}

/**
 * The panel opens with the focus in the payload, not on the page: at once when the panel's frame has the
 * focus, else when it gets it (the panel never takes the focus from the workbench itself).
 */
function focusComposerWhenFocused(): void {
  const focusIfIdle = () => {
    const active = document.activeElement;
    if (!active || active === document.body) focusPayload();
  };
  if (document.hasFocus()) focusIfIdle();
  else window.addEventListener('focus', focusIfIdle, { once: true });
}

/** `endpoint`: the endpoint changed (state, connections, error) or is gone (null). */
function onEndpoint(m: Extract<HostMessage, { type: 'endpoint' }>): void {
  const hadAutoReplyBox = hasAutoReplyBox();
  session.endpoint = m.endpoint;
  // The core stops the repeats of a stopped endpoint.
  if (!m.endpoint) endpointGone();
  renderEndpoint();
  if (hadAutoReplyBox !== !!m.endpoint) buildAutoReply();
  else renderAutoReplyState();
}

function renderEndpoint(): void {
  renderHeader(session.endpoint, state.label);
  renderMulticast(session.endpoint);
  setComposerEnabled(!!session.endpoint);
  renderTarget();
}

window.addEventListener('message', (event: MessageEvent) => {
  const parsed = parseHostMessage(event.data);
  if (!parsed.ok) {
    console.warn(`Socket Lab panel: ignored a malformed message from the host: ${parsed.error}`);
    return;
  }
  const m = parsed.message;
  switch (m.type) {
    case 'init':
      onInit(m);
      break;
    case 'endpoint':
      onEndpoint(m);
      break;
    case 'reset':
      onReset(m);
      break;
    case 'traffic':
      if (onTraffic(m)) followNewestPeer(m.records);
      break;
    case 'repeat':
      onRepeatMessage(m);
      break;
    case 'response':
      settle(m);
      break;
  }
});

vscode.postMessage({ type: 'ready' });
