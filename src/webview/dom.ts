/**
 * Building the panel's DOM: elements from a tag, properties and children (never innerHTML: received bytes
 * only ever reach the page as textContent), and the few composite controls every section uses.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/vscode-single-select.js';
import type { VscodeTextarea } from '@vscode-elements/elements/dist/vscode-textarea/vscode-textarea.js';
import type { VscodeTextfield } from '@vscode-elements/elements/dist/vscode-textfield/vscode-textfield.js';

/**
 * What `el` sets on an element: `class`, `text` (textContent), `on<event>` listeners, properties (values that
 * are not strings, when the element has such a property) and attributes (the rest; `true` is an empty
 * attribute, `false` and undefined are left out).
 */
export type Props = Record<string, unknown>;

/** A new element with `props` and `children`, typed by its tag (the vscode-* tags included). */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props?: Props,
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K];
export function el(tag: string, props?: Props, ...children: (Node | string)[]): HTMLElement;
export function el(tag: string, props: Props = {}, ...children: (Node | string)[]): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === false) continue;
    if (k === 'class') e.className = String(v);
    else if (k === 'text') e.textContent = String(v);
    else if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v as EventListener);
    // A vscode-textfield's or vscode-textarea's `label` (the inner input's aria-label) is a property only.
    else if (k === 'label' && (tag === 'vscode-textfield' || tag === 'vscode-textarea'))
      (e as VscodeTextfield | VscodeTextarea).label = String(v);
    else if (k in e && typeof v !== 'string') Reflect.set(e, k, v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  e.append(...children);
  return e;
}

/** A drop-down of [value, text] options, named by `label`, calling `onChange` with the value picked. */
export function select<V extends string>(
  id: string,
  options: readonly (readonly [V, string])[],
  value: V,
  label: string,
  onChange: (value: V) => void,
): VscodeSingleSelect {
  const s = el('vscode-single-select', { id, 'aria-label': label, title: label, label });
  for (const [v, text] of options) s.append(el('vscode-option', { value: v, text }));
  s.value = value;
  // The options are ours, so the value is one of V.
  s.addEventListener('change', () => onChange(s.value as V));
  return s;
}

/** A control with its visible label in front ('block': the label above). */
export function labelled(text: string, control: HTMLElement, layout?: 'block'): HTMLElement {
  return el(
    'label',
    { class: layout ? 'labelled block' : 'labelled' },
    el('span', { class: 'label-text', text }),
    control,
  );
}

/** A codicon, hidden from assistive technology (the text next to it says what it means). */
export function icon(name: string): HTMLElement {
  return el('span', { class: `codicon codicon-${name}`, 'aria-hidden': 'true' });
}

/** Resolves once a vscode-element has rendered its shadow root (at once for a plain element). */
export function whenRendered(target: HTMLElement): Promise<unknown> {
  return Promise.resolve('updateComplete' in target ? target.updateComplete : undefined);
}

/** Focuses a vscode-element once it has rendered its shadow root (a new one delegates focus to nothing before). */
export function focusWhenRendered(target: HTMLElement): void {
  void whenRendered(target).then(() => target.focus());
}

/**
 * Marks a vscode-textfield or vscode-textarea invalid or valid: its error look (the `invalid` attribute) and,
 * on the input inside it, aria-invalid and the sentence that says why as its description. The input is in the
 * element's shadow root, where an aria-describedby id cannot reach the sentence; element reflection can.
 */
export function markField(field: HTMLElement, invalid: boolean, why: HTMLElement): void {
  if (field.hasAttribute('invalid') !== invalid) field.toggleAttribute('invalid', invalid);
  void whenRendered(field).then(() => {
    const input = field.shadowRoot?.querySelector<HTMLElement>('input, textarea');
    if (!input) return;
    if (invalid) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
    input.ariaDescribedByElements = invalid ? [why] : null;
  });
}

/** Sets what a vscode-element's inner control is named (its `label` property) and the host's tooltip. */
export function nameControl(control: HTMLElement, name: string, tooltip = name): void {
  Reflect.set(control, 'label', name);
  control.setAttribute('aria-label', name);
  control.title = tooltip;
}

/** A part of the panel that opens and closes: its heading's button says whether it is open (aria-expanded). */
export interface Disclosure {
  root: HTMLElement;
  /** The heading's button. */
  toggle: HTMLElement;
  /** What shows while it is open. */
  body: HTMLElement;
}

/**
 * A heading (h2) whose button opens and closes `body`: Enter and Space work as on any button, and the state
 * is spoken (aria-expanded). `id` names the parts: `${id}-box`, `${id}-toggle`, `${id}-body`.
 */
export function disclosure(
  id: string,
  title: string,
  open: boolean,
  onToggle: (open: boolean) => void,
  ...content: (Node | string)[]
): Disclosure {
  const chevron = icon(open ? 'chevron-down' : 'chevron-right');
  const body = el('div', { id: `${id}-body`, class: 'disclosure-body', hidden: !open }, ...content);
  const toggle = el('button', {
    id: `${id}-toggle`,
    class: 'disclosure-toggle',
    type: 'button',
    'aria-expanded': String(open),
    'aria-controls': body.id,
  });
  toggle.append(chevron, el('span', { text: title }));
  toggle.addEventListener('click', () => {
    const nowOpen = toggle.getAttribute('aria-expanded') !== 'true';
    toggle.setAttribute('aria-expanded', String(nowOpen));
    chevron.className = `codicon codicon-${nowOpen ? 'chevron-down' : 'chevron-right'}`;
    body.hidden = !nowOpen;
    onToggle(nowOpen);
  });
  const root = el(
    'div',
    { id: `${id}-box`, class: 'disclosure' },
    el('h2', { class: 'disclosure-head' }, toggle),
    body,
  );
  return { root, toggle, body };
}

/**
 * Gives the focus back to `opener` (the button that opened a dialog of the workbench) when nothing in the panel
 * has it: a dialog closing leaves the panel's focus on its body.
 */
export function restoreFocus(opener: HTMLElement): void {
  const active = document.activeElement;
  if (opener.isConnected && (!active || active === document.body)) opener.focus();
}

/** The sentence of an error caught from a request or a parse. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
