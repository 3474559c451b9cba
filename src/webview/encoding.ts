/**
 * The composer's Encoding is also the one that decodes the received rows (the auto-reply has its own): the
 * places that use it say so (a note kept current), and react when it changes.
 */
import { el } from './dom';
import { state } from './state';
import { t } from './strings';

const listeners: (() => void)[] = [];

/** Calls `listener` whenever the composer's encoding changes. */
export function onEncodingChanged(listener: () => void): void {
  listeners.push(listener);
}

/** The composer's encoding changed: the notes say the new one, and the listeners react. */
export function encodingChanged(): void {
  updateEncodingNotes();
  for (const listener of listeners) listener();
}

/** A note that names the composer's encoding with the string `key` ('decoded as {0}'), kept current. */
export function encodingNote(key: string, props: Record<string, string> = {}): HTMLElement {
  return el('span', {
    ...props,
    class: `muted encoding-note${props.class ? ` ${props.class}` : ''}`,
    'data-key': key,
    text: t(key, state.draft.encoding),
  });
}

function updateEncodingNotes(): void {
  const encoding = state.draft.encoding;
  for (const node of document.querySelectorAll<HTMLElement>('.encoding-note')) {
    const text = t(node.dataset.key ?? '', encoding);
    if (node.textContent !== text) node.textContent = text;
  }
}
