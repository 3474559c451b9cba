/**
 * The live check of the composer's payload: the host encodes it as a send would (debounced while typing) and
 * the composer shows its byte count, or the sentence of what is wrong, marks the field invalid (described by
 * that sentence) and disables the sends. The sentence is not a live region, which would repeat it at every
 * keystroke: it is announced once, when the payload becomes invalid.
 */
import { announce } from '../announcer';
import { el, markField, messageOf } from '../dom';
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
  /** What the newest answer said (true until one says otherwise). */
  valid: boolean;
  /** The check in flight or scheduled, resolving with whether the payload is valid. */
  running?: Promise<boolean>;
  onValidity: (valid: boolean) => void;
} = { serial: 0, valid: true, onValidity: () => undefined };

/** The line under the payload field (byte count and problem); `onValidity` hears whether the payload can be sent. */
export function buildPayloadStatus(field: HTMLElement, onValidity: (valid: boolean) => void): HTMLElement {
  const byteCount = el('span', { id: 'byte-count' });
  const error = el('span', { id: 'payload-error', class: 'error' });
  check.view = { field, byteCount, error };
  check.onValidity = onValidity;
  onValidity(check.valid);
  return el('div', { class: 'row under-payload' }, byteCount, error);
}

/** Checks the payload again once typing pauses. */
export function scheduleCheck(): void {
  if (check.timer) clearTimeout(check.timer);
  check.serial++;
  check.running = new Promise((resolve) => {
    check.timer = setTimeout(() => {
      check.timer = undefined;
      void checkPayload().then(resolve);
    }, DEBOUNCE_MS);
  });
}

/**
 * Whether the payload as it is now can be sent: the check waiting for typing to pause runs at once. When it
 * cannot, the sentence is said again (the user asked to send).
 */
export async function payloadIsValid(): Promise<boolean> {
  if (check.timer) {
    clearTimeout(check.timer);
    check.timer = undefined;
    check.running = checkPayload();
  }
  const valid = await (check.running ?? Promise.resolve(check.valid));
  if (!valid && check.view) announce(check.view.error.textContent ?? '');
  return valid;
}

async function checkPayload(): Promise<boolean> {
  const mine = ++check.serial;
  let problem = '';
  let bytes = 0;
  try {
    const result = await request('validate', payloadOf(state.draft));
    if ('error' in result) problem = result.error;
    else bytes = result.bytes;
  } catch (err) {
    problem = messageOf(err);
  }
  const view = check.view;
  // A newer edit was made meanwhile: its own check decides.
  if (mine !== check.serial || !view) return problem === '';
  const wasValid = check.valid;
  check.valid = problem === '';
  view.byteCount.textContent = problem ? '' : tn(bytes, 'bytes', bytes);
  if (view.error.textContent !== problem) view.error.textContent = problem;
  markField(view.field, !check.valid, view.error);
  check.onValidity(check.valid);
  if (wasValid && !check.valid) announce(problem);
  return check.valid;
}
