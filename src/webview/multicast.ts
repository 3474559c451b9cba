/**
 * The panel's Multicast / Broadcast controls of a UDP socket: a Broadcast switch, a group (and optional
 * interface) to join, and the groups joined, each with its Leave button. The host applies each change
 * through the core, which checks the values; its refusal shows here as a sentence.
 */
import type { VscodeCheckbox } from '@vscode-elements/elements/dist/vscode-checkbox/vscode-checkbox.js';
import type { VscodeTextfield } from '@vscode-elements/elements/dist/vscode-textfield/vscode-textfield.js';
import type { EndpointView, MulticastChange } from '../shared/protocol';
import { announce } from './announcer';
import { disclosure, el, labelled, messageOf } from './dom';
import { request } from './rpc';
import { t } from './strings';

/** The section (hidden unless the panel's endpoint is a UDP socket). */
export const multicastSection = el('div', { id: 'multicast-section', hidden: true });
let broadcastBox: VscodeCheckbox | undefined;
let groupField: VscodeTextfield | undefined;
let interfaceField: VscodeTextfield | undefined;
let groupList: HTMLElement | undefined;
let status: HTMLElement | undefined;
/** The groups last rendered: the list is rebuilt only when they change (the Leave button keeps its focus). */
let shownGroups = '';
let open = false;

/** Sends one change; its refusal (or nothing) is shown in the status line. */
async function change(what: MulticastChange, done: string): Promise<boolean> {
  try {
    await request('multicast', { change: what });
    status!.textContent = '';
    announce(done);
    return true;
  } catch (err) {
    status!.textContent = messageOf(err);
    return false;
  }
}

async function join(): Promise<void> {
  const group = groupField!.value.trim();
  const iface = interfaceField!.value.trim();
  const change_: MulticastChange = { op: 'join', group, ...(iface ? { interface: iface } : {}) };
  if (await change(change_, t('multicastJoined', group))) groupField!.value = '';
}

/** Builds the section (once the strings are there). */
export function buildMulticast(): void {
  broadcastBox = el('vscode-checkbox', { id: 'broadcast', label: t('broadcastSwitch'), checked: false });
  broadcastBox.addEventListener('change', () => {
    const on = broadcastBox!.checked;
    void change({ op: 'broadcast', on }, on ? t('broadcastIsOn') : t('broadcastIsOff'));
  });
  // Each field's visible label is its spoken name (WCAG 2.5.3); a placeholder vanishes once the user types.
  groupField = el('vscode-textfield', {
    id: 'multicast-group',
    placeholder: '239.1.2.3 / ff05::1:3',
    label: t('multicastGroup'),
  });
  interfaceField = el('vscode-textfield', {
    id: 'multicast-interface',
    placeholder: t('multicastInterfaceHint'),
    label: t('multicastInterface'),
  });
  for (const field of [groupField, interfaceField])
    field.addEventListener('keydown', (e: KeyboardEvent) => {
      if (e.key === 'Enter') void join();
    });
  const joinButton = el('vscode-button', {
    id: 'multicast-join',
    text: t('multicastJoin'),
    onclick: () => void join(),
  });
  groupList = el('ul', { id: 'multicast-groups', class: 'multicast-groups', 'aria-label': t('multicastGroups') });
  status = el('div', { id: 'multicast-status', class: 'multicast-status', role: 'status', 'aria-live': 'polite' });
  shownGroups = '';
  const box = disclosure(
    'multicast',
    t('multicastTitle'),
    open,
    (nowOpen) => (open = nowOpen),
    broadcastBox,
    el(
      'div',
      { class: 'multicast-join' },
      labelled(t('multicastGroup'), groupField),
      labelled(t('multicastInterface'), interfaceField),
      joinButton,
    ),
    groupList,
    status,
  );
  multicastSection.replaceChildren(box.root);
}

/** Shows the endpoint's broadcast flag and groups; hides the section for anything but a UDP socket. */
export function renderMulticast(endpoint: EndpointView | null): void {
  const m = endpoint?.multicast;
  multicastSection.hidden = !m;
  if (!m || !broadcastBox || !groupList) return;
  broadcastBox.checked = m.broadcast;
  const key = m.groups.join('\n');
  if (key === shownGroups) return;
  shownGroups = key;
  groupList.replaceChildren(
    ...(m.groups.length
      ? m.groups.map((group) =>
          el(
            'li',
            {},
            el('span', { class: 'multicast-group', text: group }),
            el('vscode-button', {
              secondary: true,
              text: t('multicastLeave'),
              'aria-label': t('multicastLeaveNamed', group),
              onclick: () => void change({ op: 'leave', group }, t('multicastLeft', group)),
            }),
          ),
        )
      : [el('li', { class: 'multicast-none', text: t('multicastNone') })]),
  );
}
