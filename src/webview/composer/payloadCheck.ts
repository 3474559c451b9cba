/**
 * The live check of the composer's payload: the host encodes it as a send would (debounced while typing)
 * and the composer shows its byte count, or the sentence of what is wrong and marks the field.
 */
import { el, messageOf } from '../dom';
import { request } from '../rpc';
import { state } from '../state';
import { tn } from '../strings';
import { payloadOf } from './draft';

const DEBOUNCE_MS = 150;

const check: {
  /** The payload field, its byte count ('5 bytes') and the sentence of why it cannot be sent. */
  view?: { field: HTMLElement; byteCount: HTMLElement; error: HTMLElement };
  timer?: ReturnType<typeof setTimeout>;
  /** Bumped per check, so that only the newest answer is shown. */
  serial: number;
} = { serial: 0 };

/** The line under the payload field (byte count and problem); the check marks `field` invalid. */
export function buildPayloadStatus(field: HTMLElement): HTMLElement {
  const byteCount = el('span', { id: 'byte-count' });
  const error = el('span', { id: 'payload-error', class: 'error', role: 'alert' });
  check.view = { field, byteCount, error };
  return el('div', { class: 'row under-payload' }, byteCount, error);
}

/** Checks the payload again once typing pauses. */
export function scheduleCheck(): void {
  if (check.timer) clearTimeout(check.timer);
  check.timer = setTimeout(() => void checkPayload(), DEBOUNCE_MS);
}

async function checkPayload(): Promise<void> {
  const mine = ++check.serial;
  try {
    const result = await request('validate', payloadOf(state.draft));
    const view = check.view;
    if (mine !== check.serial || !view) return;
    if ('error' in result) {
      view.byteCount.textContent = '';
      view.error.textContent = result.error;
      view.field.setAttribute('invalid', '');
      return;
    }
    view.byteCount.textContent = tn(result.bytes, 'bytes', result.bytes);
    view.error.textContent = '';
    view.field.removeAttribute('invalid');
  } catch (err) {
    if (check.view) check.view.error.textContent = messageOf(err);
  }
}
