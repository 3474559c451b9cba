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

/** Focuses a vscode-element once it has rendered its shadow root (a new one delegates focus to nothing before). */
export function focusWhenRendered(target: HTMLElement): void {
  const rendered = 'updateComplete' in target ? target.updateComplete : undefined;
  void Promise.resolve(rendered).then(() => target.focus());
}

/** The sentence of an error caught from a request or a parse. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
