/**
 * The header's capture part: whether the endpoint's traffic is being written to a file (its name, its size,
 * or that it stopped at its limit) and the button that starts a capture (the Start Capture prompts) or stops it.
 */
import { formatBytes } from '../shared/display';
import type { EndpointView } from '../shared/protocol';
import { el } from './dom';
import { request } from './rpc';
import { t } from './strings';

const captureText = el('span', { id: 'capture', class: 'state', hidden: true });
let captureButton: HTMLElement | undefined;
/** Whether the button stops (a capture is set) or starts one, as last rendered. */
let capturing = false;

/** The capture's state and its button (built once the strings are there). */
export function buildCaptureControl(): HTMLElement[] {
  captureButton = el('vscode-button', {
    id: 'capture-button',
    secondary: true,
    icon: 'record',
    text: t('captureStart'),
    hidden: true,
    // Failures are the commands' to show (as from the palette); the header follows the endpoint's change.
    onclick: () => void request(capturing ? 'stopCapture' : 'startCapture', {}).catch(() => undefined),
  });
  return [captureText, captureButton];
}

/** Shows the endpoint's capture (nothing, and no button, once the endpoint is gone). */
export function renderCapture(endpoint: EndpointView | null): void {
  const capture = endpoint?.capture;
  capturing = !!capture;
  const text = !capture
    ? ''
    : capture.stopped
      ? t('captureStoppedNow', capture.file, formatBytes(capture.bytes))
      : t('capturingNow', capture.file, formatBytes(capture.bytes));
  if (captureText.textContent !== text) captureText.textContent = text;
  captureText.hidden = !capture;
  captureText.className = capture?.stopped ? 'state warning' : 'state';
  captureText.title = capture ? (capture.stopped ?? t('capturingTitle', capture.path, capture.format)) : '';
  if (!captureButton) return;
  captureButton.hidden = !endpoint;
  const label = capture ? t('captureStop') : t('captureStart');
  if (captureButton.textContent !== label) captureButton.textContent = label;
  captureButton.setAttribute('icon', capture ? 'debug-stop' : 'record');
}
