/** The composer's history: the payloads sent last (HISTORY_MAX), newest first; picking one puts it back in the composer. */
import { HISTORY_MAX } from '../../shared/limits';
import { el } from '../dom';
import { persist, state } from '../state';
import { t } from '../strings';
import { historyBadge, sameDraft, type Draft } from './draft';

/** The list's element (the composer places it in its History box). */
export const historyList = el('div', { id: 'history' });

let onPick: (draft: Draft) => void = () => undefined;

/** Calls `pick` with the draft to put back when the user picks an entry. */
export function onHistoryPick(pick: (draft: Draft) => void): void {
  onPick = pick;
}

/** Puts the draft just sent on top of the history (once). */
export function remember(draft: Draft): void {
  const d = { ...draft };
  state.history = [d, ...state.history.filter((h) => !sameDraft(h, d))].slice(0, HISTORY_MAX);
  persist();
  renderHistory();
}

/** Shows the history (or a line saying it fills as payloads are sent). */
export function renderHistory(): void {
  if (!state.history.length) {
    historyList.replaceChildren(el('p', { class: 'muted', text: t('historyEmpty') }));
    return;
  }
  // A list of buttons: each entry is one Tab stop, named by its format and its payload.
  historyList.replaceChildren(el('ul', { class: 'history-list' }, ...state.history.map(historyItem)));
}

function historyItem(h: Draft): HTMLElement {
  const badge = historyBadge(h);
  return el(
    'li',
    {},
    el(
      'button',
      {
        type: 'button',
        class: 'history-item',
        title: h.data.length > 500 ? `${h.data.slice(0, 500)}…` : h.data,
        onclick: () => onPick(h),
      },
      el('span', { class: 'badge', text: badge }),
      el('span', { class: 'history-data', text: h.data.length > 120 ? `${h.data.slice(0, 120)}…` : h.data }),
    ),
  );
}
