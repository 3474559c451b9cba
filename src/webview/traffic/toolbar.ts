/**
 * The log's toolbar: how data is shown (text, hex, both), the filter with how many rows it leaves ("12 of 340
 * rows"), following new rows, dates, Clear and Export, and the status line of what they (and copies) did.
 */
import type { VscodeCheckbox } from '@vscode-elements/elements/dist/vscode-checkbox/vscode-checkbox.js';
import { EXPORT_FORMATS, type ExportFormat } from '../../shared/protocol';
import { announce } from '../announcer';
import { el, labelled, restoreFocus, select } from '../dom';
import { encodingNote } from '../encoding';
import { request } from '../rpc';
import { persist, state, VIEW_MODES, type ViewOptions } from '../state';
import { statusLine } from '../statusLine';
import { t, tn } from '../strings';

/** What the toolbar's controls change besides the saved view options. */
export interface ToolbarActions {
  /** The view mode or the date column changed: rows look different. */
  restyle(): void;
  /** The filter text changed (debounced). */
  refilter(): void;
  /** Following was turned on: jump to the newest row. */
  follow(): void;
  /** The log was cleared. */
  cleared(): void;
}

const FILTER_DEBOUNCE_MS = 120;
/** A filter's result is announced once typing has paused this long (not at every keystroke). */
const FILTER_ANNOUNCE_MS = 700;
const VIEW_MODE_KEYS: Record<ViewOptions['mode'], string> = { text: 'viewText', hex: 'viewHex', both: 'viewBoth' };

/** What the log's actions (clear, export, copy) did. */
export const trafficStatus = statusLine('status');
/** "12 of 340 rows" while a filter is set. */
const filterCount = el('span', { id: 'filter-count', class: 'muted' });

/** The Follow checkbox (scrolling up unticks it, reaching the end ticks it again). */
let followBox: VscodeCheckbox | undefined;
let announceTimer: ReturnType<typeof setTimeout> | undefined;

/** Ticks or unticks Follow as scrolling decided. */
export function showFollowing(follow: boolean): void {
  if (followBox) followBox.checked = follow;
}

/** True while the Follow checkbox has the focus (scrolling then leaves it alone). */
export function followHasFocus(): boolean {
  return !!followBox && document.activeElement === followBox;
}

/** The filter's result in words: "12 of 340 rows", "No row matches the filter.", or '' without a filter. */
export function filterResult(shown: number, total: number): string {
  if (!state.view.filter.trim()) return '';
  return shown === 0 ? t('noMatch') : tn(total, 'filterCount', shown.toLocaleString(), total.toLocaleString());
}

/** Shows how many rows the filter leaves (cheap: called with every batch of rows). */
export function showFilterCount(shown: number, total: number): void {
  const text = filterResult(shown, total);
  if (filterCount.textContent !== text) filterCount.textContent = text;
  filterCount.hidden = text === '';
}

/** The toolbar's row. */
export function buildToolbar(actions: ToolbarActions, counts: () => { shown: number; total: number }): HTMLElement {
  const v = state.view;
  const modes = VIEW_MODES.map((m) => [m, t(VIEW_MODE_KEYS[m])] as const);
  const mode = select('view-mode', modes, v.mode, t('data'), (x) => {
    v.mode = x;
    persist();
    actions.restyle();
  });
  // The composer's Encoding decodes the Text column too: say so next to the view mode.
  const decodedAs = encodingNote('decodedAs', { id: 'display-encoding' });
  const follow: VscodeCheckbox = el('vscode-checkbox', { id: 'follow', label: t('autoscroll'), checked: v.follow });
  follow.addEventListener('change', () => {
    v.follow = follow.checked;
    persist();
    if (v.follow) actions.follow();
  });
  followBox = follow;
  const date: VscodeCheckbox = el('vscode-checkbox', { id: 'show-date', label: t('showDate'), checked: v.showDate });
  date.addEventListener('change', () => {
    v.showDate = date.checked;
    persist();
    actions.restyle();
  });
  // Framed records keep their delimiter; the log shows it dimmed, or leaves it out.
  const delimiters: VscodeCheckbox = el('vscode-checkbox', {
    id: 'hide-delimiters',
    label: t('hideDelimiters'),
    checked: v.hideDelimiters === true,
  });
  delimiters.addEventListener('change', () => {
    v.hideDelimiters = delimiters.checked;
    persist();
    actions.restyle();
  });
  const clear = el('vscode-button', {
    id: 'clear',
    secondary: true,
    icon: 'clear-all',
    text: t('clear'),
    onclick: async () => {
      try {
        await request('clear', {});
        trafficStatus.set('');
        actions.cleared();
      } catch (err) {
        trafficStatus.showError(err);
      }
    },
  });
  return el(
    'div',
    { class: 'row toolbar' },
    labelled(t('data'), mode),
    decodedAs,
    buildFilter(actions, counts),
    filterCount,
    follow,
    date,
    delimiters,
    clear,
    ...buildExport(),
    trafficStatus.element,
  );
}

function buildFilter(actions: ToolbarActions, counts: () => { shown: number; total: number }): HTMLElement {
  const filter = el(
    'vscode-textfield',
    { id: 'filter', placeholder: t('filter'), label: t('filter') },
    el('span', { slot: 'content-before', class: 'codicon codicon-filter', 'aria-hidden': 'true' }),
  );
  filter.value = state.view.filter;
  let timer: ReturnType<typeof setTimeout> | undefined;
  filter.addEventListener('input', () => {
    state.view.filter = filter.value;
    persist();
    if (timer) clearTimeout(timer);
    timer = setTimeout(actions.refilter, FILTER_DEBOUNCE_MS);
    // Said once typing pauses: "12 of 340 rows", or that nothing matches.
    if (announceTimer) clearTimeout(announceTimer);
    announceTimer = setTimeout(() => {
      const { shown, total } = counts();
      announce(filterResult(shown, total) || tn(total, 'allRows', total.toLocaleString()));
    }, FILTER_ANNOUNCE_MS);
  });
  return filter;
}

/** The export format and the Export button (the host asks where to save; the focus returns to the button). */
function buildExport(): HTMLElement[] {
  let format: ExportFormat = 'jsonl';
  const names: Record<ExportFormat, string> = {
    jsonl: 'JSON Lines',
    text: t('viewText'),
    raw: 'raw bytes',
    pcapng: 'pcapng (Wireshark)',
  };
  const formats = EXPORT_FORMATS.map((f) => [f, names[f]] as const);
  const formatSelect = select('export-format', formats, format, t('exportFormat'), (x) => (format = x));
  const button = el('vscode-button', {
    id: 'export',
    secondary: true,
    icon: 'save-as',
    text: t('export'),
    onclick: async () => {
      try {
        const r = await request('export', { format, encoding: state.draft.encoding });
        if (r.path) trafficStatus.set(tn(r.records, 'exported', r.records.toLocaleString(), r.path));
      } catch (err) {
        trafficStatus.showError(err);
      } finally {
        restoreFocus(button);
      }
    },
  });
  return [formatSelect, button];
}
