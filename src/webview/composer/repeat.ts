/**
 * Repeat: its interval and count fields (checked as they are typed, with a sentence naming the field), the
 * Repeat and Stop buttons, and the indicator of the running repeat (what it sends, how many so far).
 */
import type { VscodeTextfield } from '@vscode-elements/elements/dist/vscode-textfield/vscode-textfield.js';
import type { HostMessage } from '../../shared/protocol';
import { el, icon, labelled } from '../dom';
import { request } from '../rpc';
import { persist, state } from '../state';
import { setStatus, showError } from '../statusLine';
import { t, tn } from '../strings';
import { checkRepeat } from './draft';

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

/**
 * The Repeat controls for the composer's action row (the fields, Repeat, Stop, the indicator) and the line
 * for the fields' problem under it. `onRepeat` sends the draft as a repeat.
 */
export function buildRepeatControls(onRepeat: () => void): { row: HTMLElement[]; error: HTMLElement } {
  const interval = repeatField('repeat-interval', 0, 'repeatEvery', 'repeatEveryLabel', 'ms', state.intervalMs);
  interval.addEventListener('input', () => {
    state.intervalMs = interval.value;
    persist();
    checkRepeatFields(false);
  });
  const count = repeatField('repeat-count', 1, 'repeatTimes', 'repeatTimesLabel', '∞', state.count);
  count.addEventListener('input', () => {
    state.count = count.value;
    persist();
    checkRepeatFields(false);
  });
  const error = el('div', { id: 'repeat-error', class: 'error', role: 'alert' });
  const repeat = el('vscode-button', {
    id: 'repeat',
    icon: 'sync',
    secondary: true,
    text: t('repeat'),
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
  const indicator = el('span', { id: 'repeat-indicator', hidden: true });
  controls = { interval, count, error, repeat, stop, indicator };
  checkRepeatFields(false);
  return {
    row: [labelled(t('repeatEvery'), interval), labelled(t('repeatTimes'), count), repeat, stop, indicator],
    error,
  };
}

function repeatField(
  id: string,
  min: number,
  key: string,
  labelKey: string,
  placeholder: string,
  value: string,
): VscodeTextfield {
  const field = el('vscode-textfield', {
    id,
    type: 'number',
    min,
    'aria-label': t(key),
    label: t(labelKey),
    title: t(key),
    placeholder,
  });
  field.value = value;
  return field;
}

/**
 * Checks the Repeat fields and shows what is wrong next to them (and marks the field). With `refuse`, the
 * problem also goes to the status line (the user pressed Repeat). Returns the repeat when the fields are right.
 */
export function checkRepeatFields(refuse: boolean): { intervalMs: number; count?: number } | undefined {
  const r = checkRepeat(state.intervalMs, state.count);
  const message = r.ok ? '' : t(r.key, ...r.args);
  if (controls) {
    controls.interval.toggleAttribute('invalid', !r.ok && r.field === 'interval');
    controls.count.toggleAttribute('invalid', !r.ok && r.field === 'count');
    if (controls.error.textContent !== message) controls.error.textContent = message;
  }
  if (!r.ok && refuse) setStatus(message, true);
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
    if (m.error) setStatus(tn(m.sent, 'repeatFailed', m.sent.toLocaleString(), m.error), true);
    else setStatus(tn(m.sent, 'repeatEnded', m.sent.toLocaleString()));
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
    showError(err);
  }
}

/** Shows the indicator with `text` (and Stop instead of Repeat), or hides it. */
function showRunning(text: string | undefined): void {
  if (!controls) return;
  controls.indicator.hidden = text === undefined;
  controls.indicator.replaceChildren(icon('sync codicon-modifier-spin'), document.createTextNode(` ${text ?? ''}`));
  controls.stop.hidden = text === undefined;
  controls.repeat.toggleAttribute('disabled', text !== undefined);
}
