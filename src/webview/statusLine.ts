/**
 * Status lines: what the last action of a part of the panel did, or why it failed, shown next to the control
 * that did it and announced politely (role=status). A line clears itself when what it said no longer applies.
 */
import { el, messageOf } from './dom';

/** One status line. */
export interface StatusLine {
  element: HTMLElement;
  /** Shows what happened ('' clears the line). */
  set(text: string, isError?: boolean): void;
  /** Shows why an action failed: the host's sentence, or the error's message. */
  showError(err: unknown): void;
}

/** A status line with this id. */
export function statusLine(id: string): StatusLine {
  const element = el('span', { id, class: 'status-line', role: 'status' });
  const set = (text: string, isError = false) => {
    if (element.textContent !== text) element.textContent = text;
    element.classList.toggle('error', isError && text !== '');
  };
  return { element, set, showError: (err) => set(messageOf(err), true) };
}
