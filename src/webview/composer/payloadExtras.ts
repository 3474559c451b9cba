/**
 * The composer's request-file extras: a checksum appended to the payload (and its byte order), a toggle that
 * expands built-ins such as {{$counter}} on every send, and "Save to request file…" for the draft or a
 * history entry (the host appends a block to a `.socklab` file the user picks).
 */
import type { VscodeCheckbox } from '@vscode-elements/elements/dist/vscode-checkbox/vscode-checkbox.js';
import { CHECKSUM_NAMES, type ChecksumEndian, type ChecksumName } from '../../shared/checksum';
import { el, labelled, select } from '../dom';
import { request } from '../rpc';
import { session } from '../session';
import { state } from '../state';
import { t } from '../strings';
import { payloadOf, type Draft } from './draft';
import { sendStatus } from './sendStatus';
import { sendTarget } from './target';

/** The extras' controls, and `show` to put the draft's values back in them (a history entry was picked). */
export interface PayloadExtras {
  controls: HTMLElement[];
  show(): void;
}

/** Checksum, byte order and built-ins controls; `changed` saves and re-checks the draft. */
export function payloadExtras(changed: () => void): PayloadExtras {
  const none = '';
  const checksum = select<ChecksumName | ''>(
    'checksum',
    [[none, t('checksumNone')], ...CHECKSUM_NAMES.map((n) => [n, n] as const)],
    state.draft.checksum ?? none,
    t('checksum'),
    (v) => {
      state.draft.checksum = v || undefined;
      if (!v) state.draft.checksumEndian = undefined;
      enable(endian, Boolean(v));
      changed();
    },
  );
  checksum.title = t('checksumHint');
  const endian = select<ChecksumEndian | ''>(
    'checksum-endian',
    [
      [none, t('checksumEndianDefault')],
      ['le', t('checksumLowFirst')],
      ['be', t('checksumHighFirst')],
    ],
    state.draft.checksumEndian ?? none,
    t('checksumEndian'),
    (v) => {
      state.draft.checksumEndian = v || undefined;
      changed();
    },
  );
  enable(endian, Boolean(state.draft.checksum));
  const variables: VscodeCheckbox = el('vscode-checkbox', {
    id: 'variables',
    label: t('variables'),
    title: t('variablesHint'),
    checked: state.draft.variables ?? false,
  });
  variables.addEventListener('change', () => {
    state.draft.variables = variables.checked || undefined;
    changed();
  });
  const show = () => {
    checksum.value = state.draft.checksum ?? none;
    endian.value = state.draft.checksumEndian ?? none;
    enable(endian, Boolean(state.draft.checksum));
    variables.checked = state.draft.variables ?? false;
  };
  return { controls: [labelled(t('checksum'), checksum), labelled(t('checksumEndian'), endian), variables], show };
}

/**
 * Enables or disables a select. A select disabled before it is first shown remembers tabindex -1 as the one
 * to restore, so enabling it also gives it back its place in the Tab order.
 */
function enable(control: HTMLElement, enabled: boolean): void {
  control.toggleAttribute('disabled', !enabled);
  if (enabled) control.tabIndex = 0;
}

/** "Save to request file…" for the composer's draft. */
export function saveDraftButton(): HTMLElement {
  return el('vscode-button', {
    id: 'save-request',
    icon: 'save',
    secondary: true,
    title: t('saveToRequestFileHint'),
    text: t('saveToRequestFile'),
    onclick: () => void saveToRequestFile(state.draft),
  });
}

/** A history entry's "Save to request file…" (an icon button named for the entry). */
export function saveHistoryButton(h: Draft, name: string): HTMLElement {
  return el('vscode-button', {
    class: 'history-save',
    icon: 'save',
    secondary: true,
    'aria-label': t('saveEntryToRequestFile', name),
    title: t('saveEntryToRequestFile', name),
    onclick: () => void saveToRequestFile(h),
  });
}

/** Asks the host to append `draft` as a block to a request file, and says where it went. */
async function saveToRequestFile(draft: Draft): Promise<void> {
  const endpoint = session.endpoint;
  if (!endpoint) return;
  try {
    const { to } = sendTarget(endpoint);
    const result = await request('saveToRequestFile', { ...payloadOf(draft), ...(to ? { to } : {}) });
    if (result.path) sendStatus.set(t('savedToRequestFile', result.path));
  } catch (err) {
    sendStatus.showError(err);
  }
}
