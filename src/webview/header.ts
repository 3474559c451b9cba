/** The panel's header (the endpoint's label and state) and the banner saying it failed or is gone. */
import type { EndpointView } from '../shared/protocol';
import { buildCaptureControl, renderCapture } from './captureControl';
import { el, icon } from './dom';
import { request } from './rpc';
import { t } from './strings';

const title = el('h1', { id: 'title' });
const stateText = el('span', { id: 'state' });
const framingText = el('span', { id: 'framing', class: 'state', hidden: true });
let framingButton: HTMLElement | undefined;

/** The header: an icon, the endpoint's label, its state. */
export const header = el('div', { id: 'header' });
/** The banner under the header (hidden while there is nothing to say). */
export const banner = el('div', { id: 'banner', role: 'alert', hidden: true });

/** Builds the header (once the strings are there). */
export function buildHeader(): void {
  framingButton = el('vscode-button', {
    id: 'set-framing',
    secondary: true,
    icon: 'symbol-namespace',
    text: t('framingButton'),
    hidden: true,
    // Failures are the command's to show (its prompt reports them); the header follows the endpoint's change.
    onclick: () => void request('setFraming', {}).catch(() => undefined),
  });
  header.replaceChildren(icon('plug'), title, stateText, framingText, framingButton, ...buildCaptureControl());
}

/** Shows the endpoint (null: gone, named by the label it had). */
export function renderHeader(endpoint: EndpointView | null, label: string): void {
  title.textContent = endpoint?.label ?? label;
  stateText.textContent = !endpoint
    ? ''
    : endpoint.autoReply
      ? `${endpoint.stateText} · ${t('autoReplyOn')}`
      : endpoint.stateText;
  stateText.className = endpoint ? `state ${endpoint.state}` : 'state';
  const framing = endpoint?.framing;
  framingText.hidden = !framing;
  framingText.textContent = framing ? t('framingNow', framing) : '';
  if (framingButton) {
    framingButton.hidden = !framing;
    framingButton.setAttribute('aria-label', framing ? t('framingButtonLabel', framing) : t('framingButton'));
  }
  renderCapture(endpoint);
  const problem = !endpoint ? t('endpointGone') : endpoint.error ? t('stateError', endpoint.error) : '';
  banner.hidden = !problem;
  banner.replaceChildren(icon(endpoint ? 'error' : 'warning'), document.createTextNode(` ${problem}`));
  banner.className = endpoint ? 'error' : 'warning';
}
