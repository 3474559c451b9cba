/**
 * Repeat: its interval and count fields (checked as they are typed, with a sentence naming the field), the
 * Repeat and Stop buttons, and the indicator of the running repeat (what it sends, how many so far). The focus
 * goes from Repeat to Stop when a repeat starts and back when it ends, never to the page.
 */
import type { VscodeTextfield } from '@vscode-elements/elements/dist/vscode-textfield/vscode-textfield.js';
import type { HostMessage } from '../../shared/protocol';
import { announce } from '../announcer';
import { el, focusWhenRendered, icon, labelled, markField } from '../dom';
import { request } from '../rpc';
import { persist, state } from '../state';
import { t, tn } from '../strings';
import { checkRepeat } from './draft';
import { sendStatus } from './sendStatus';

/** The repeat running from this panel: its id, and its sends so far as the host last posted. */
const running: { id: string | undefined; sent: number } = { id: undefined, sent: 0 };

let controls:
  | {
      interval: VscodeTextfield;
      count: VscodeTextfield;
      error: HTMLElement;
      repeat: HTMLElement;
      stop: HTMLElement;
      indicator: HTMLElement;
    }
  | undefined;
/** The payload can be sent (the live check found nothing wrong). */
let payloadValid = true;

/**
 * The Repeat controls for the composer (the fields, Repeat, Stop, the indicator) and the line for the fields'
 * problem under them. `onRepeat` sends the draft as a repeat.
 */
export function buildRepeatControls(onRepeat: () => void): { row: HTMLElement[]; error: HTMLElement } {
  const interval = repeatField('repeat-interval', 0, 'repeatEvery', '', state.intervalMs);
  interval.addEventListener('input', () => {
    state.intervalMs = interval.value;
    persist();
    checkRepeatFields(false);
  });
  const count = repeatField('repeat-count', 1, 'repeatTimes', '∞', state.count);
  count.addEventListener('input', () => {
    state.count = count.value;
    persist();
    checkRepeatFields(false);
  });
  // Not a live region (it changes as the fields are typed): it describes the field it is about.
  const error = el('div', { id: 'repeat-error', class: 'error' });
  const repeat = el('vscode-button', {
    id: 'repeat',
    icon: 'sync',
    secondary: true,
    text: t('repeat'),
    title: t('repeatHint'),
    onclick: onRepeat,
  });
  const stop = el('vscode-button', {
    id: 'stop-repeat',
    icon: 'debug-stop',
    secondary: true,
    text: t('stop'),
    hidden: true,
    onclick: () => void stopRepeat(),
  });
  // Not a live region: it counts the sends up to 20 times a second. Its start is announced once.
  const indicator = el('span', { id: 'repeat-indicator', hidden: true });
  controls = { interval, count, error, repeat, stop, indicator };
  checkRepeatFields(false);
  renderRepeatButton();
  return {
    row: [labelled(t('repeatEvery'), interval), labelled(t('repeatTimes'), count), repeat, stop, indicator],
    error,
  };
}

/** The visible label is the field's name, as a screen reader says it (WCAG 2.5.3). */
function repeatField(id: string, min: number, key: string, placeholder: string, value: string): VscodeTextfield {
  const field = el('vscode-textfield', { id, type: 'number', min, label: t(key), placeholder });
  field.value = value;
  return field;
}

/** Whether the payload can be sent; Repeat waits for it as Send does. */
export function setRepeatAllowed(valid: boolean): void {
  payloadValid = valid;
  renderRepeatButton();
}

/**
 * Checks the Repeat fields and shows what is wrong next to them (and marks the field). With `refuse` (the user
 * pressed Repeat) the sentence is also said and the focus goes to the field. Returns the repeat when right.
 */
export function checkRepeatFields(refuse: boolean): { intervalMs: number; count?: number } | undefined {
  const r = checkRepeat(state.intervalMs, state.count);
  const message = r.ok ? '' : t(r.key, ...r.args);
  if (controls) {
    markField(controls.interval, !r.ok && r.field === 'interval', controls.error);
    markField(controls.count, !r.ok && r.field === 'count', controls.error);
    if (controls.error.textContent !== message) controls.error.textContent = message;
    if (!r.ok && refuse) {
      announce(message);
      focusWhenRendered(r.field === 'interval' ? controls.interval : controls.count);
    }
  }
  return r.ok ? r.repeat : undefined;
}

/** The host started the repeat `repeatId` sending what `name` says. */
export function repeatStarted(repeatId: string, name: string): void {
  state.repeatNames = { [repeatId]: name };
  persist();
  // Progress may have been posted before this answer.
  if (running.id !== repeatId) running.sent = 0;
  running.id = repeatId;
  showRunning(t('repeating', name, running.sent.toLocaleString()));
  announce(t('repeatStarted', name));
}

/** A `repeat` message: progress of a running repeat, or its end (with the sentence of why, when it failed). */
export function onRepeatMessage(m: Extract<HostMessage, { type: 'repeat' }>): void {
  if (m.running) {
    running.id = m.repeatId;
    running.sent = m.sent;
    const name = state.repeatNames[m.repeatId];
    const sent = m.sent.toLocaleString();
    showRunning(name ? t('repeating', name, sent) : t('repeatingUnnamed', sent));
  } else if (m.repeatId === running.id) {
    running.id = undefined;
    running.sent = 0;
    showRunning(undefined);
    if (m.error) sendStatus.set(tn(m.sent, 'repeatFailed', m.sent.toLocaleString(), m.error), true);
    else sendStatus.set(tn(m.sent, 'repeatEnded', m.sent.toLocaleString()));
  }
}

/** The endpoint is gone: the core stopped its repeats. */
export function endpointGone(): void {
  if (!running.id) return;
  running.id = undefined;
  showRunning(undefined);
}

async function stopRepeat(): Promise<void> {
  if (!running.id) return;
  try {
    await request('stopRepeat', { repeatId: running.id });
  } catch (err) {
    sendStatus.showError(err);
  }
}

/**
 * Shows the indicator with `text` (and Stop instead of Repeat), or hides it. The button that had the focus
 * hands it to the one that takes its place before it is disabled or hidden.
 */
function showRunning(text: string | undefined): void {
  if (!controls) return;
  const { indicator, repeat, stop } = controls;
  const isRunning = text !== undefined;
  indicator.hidden = !isRunning;
  indicator.replaceChildren(icon('sync codicon-modifier-spin'), document.createTextNode(` ${text ?? ''}`));
  const focused = document.activeElement;
  if (isRunning && stop.hidden) {
    stop.hidden = false;
    if (focused === repeat) stop.focus();
  } else if (!isRunning && !stop.hidden) {
    renderRepeatButton(false);
    if (focused === stop) repeat.focus();
    stop.hidden = true;
  }
  renderRepeatButton(isRunning);
}

function renderRepeatButton(isRunning = running.id !== undefined): void {
  controls?.repeat.toggleAttribute('disabled', isRunning || !payloadValid);
}
