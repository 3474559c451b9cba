/**
 * The log's toolbar: how data is shown (text, hex, both), the filter, following new rows, dates, Clear and
 * Export; and the column heads of the list.
 */
import type { VscodeCheckbox } from '@vscode-elements/elements/dist/vscode-checkbox/vscode-checkbox.js';
import { EXPORT_FORMATS, type ExportFormat } from '../../shared/protocol';
import { el, labelled, select } from '../dom';
import { encodingNote } from '../encoding';
import { request } from '../rpc';
import { persist, state, VIEW_MODES, type ViewOptions } from '../state';
import { setStatus, showError } from '../statusLine';
import { t, tn } from '../strings';

/** What the toolbar's controls change besides the saved view options. */
export interface ToolbarActions {
  /** The view mode or the date column changed: rows look different. */
  restyle(): void;
  /** The filter text changed (debounced). */
  refilter(): void;
  /** Following was turned on: jump to the newest row. */
  follow(): void;
}

const FILTER_DEBOUNCE_MS = 120;
const VIEW_MODE_KEYS: Record<ViewOptions['mode'], string> = { text: 'viewText', hex: 'viewHex', both: 'viewBoth' };

/** The Follow checkbox (scrolling up unticks it, reaching the end ticks it again). */
let followBox: VscodeCheckbox | undefined;

/** Ticks or unticks Follow as scrolling decided. */
export function showFollowing(follow: boolean): void {
  if (followBox) followBox.checked = follow;
}

/** True while the Follow checkbox has the focus (scrolling then leaves it alone). */
export function followHasFocus(): boolean {
  return !!followBox && document.activeElement === followBox;
}

/** The toolbar's row. */
export function buildToolbar(actions: ToolbarActions): HTMLElement {
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
  const clear = el('vscode-button', {
    id: 'clear',
    secondary: true,
    icon: 'clear-all',
    text: t('clear'),
    onclick: () => void request('clear', {}).catch(showError),
  });
  return el(
    'div',
    { class: 'row toolbar' },
    labelled(t('data'), mode),
    decodedAs,
    buildFilter(actions),
    follow,
    date,
    clear,
    ...buildExport(),
  );
}

/** The column heads over the list. */
export function buildListHead(): HTMLElement {
  return el(
    'div',
    { class: 'list-head', 'aria-hidden': 'true' },
    el('span', { class: 'time', text: t('time') }),
    el('span', { class: 'dir', text: t('direction') }),
    el('span', { class: 'peer', text: t('peer') }),
    el('span', { class: 'len', text: t('length') }),
    el('span', { class: 'data', text: t('data') }),
  );
}

function buildFilter(actions: ToolbarActions): HTMLElement {
  const filter = el(
    'vscode-textfield',
    { id: 'filter', placeholder: t('filter'), 'aria-label': t('filter') },
    el('span', { slot: 'content-before', class: 'codicon codicon-filter', 'aria-hidden': 'true' }),
  );
  filter.value = state.view.filter;
  let timer: ReturnType<typeof setTimeout> | undefined;
  filter.addEventListener('input', () => {
    state.view.filter = filter.value;
    persist();
    if (timer) clearTimeout(timer);
    timer = setTimeout(actions.refilter, FILTER_DEBOUNCE_MS);
  });
  return filter;
}

/** The export format and the Export button (the host asks where to save). */
function buildExport(): HTMLElement[] {
  let format: ExportFormat = 'jsonl';
  const names: Record<ExportFormat, string> = { jsonl: 'JSON Lines', text: t('viewText'), raw: 'raw bytes' };
  const formats = EXPORT_FORMATS.map((f) => [f, names[f]] as const);
  const formatSelect = select('export-format', formats, format, t('exportFormat'), (x) => (format = x));
  const button = el('vscode-button', {
    id: 'export',
    secondary: true,
    icon: 'save-as',
    text: t('export'),
    onclick: async () => {
      try {
        const r = await request('export', { format });
        if (r.path) setStatus(tn(r.records, 'exported', r.records.toLocaleString(), r.path));
      } catch (err) {
        showError(err);
      }
    },
  });
  return [formatSelect, button];
}
