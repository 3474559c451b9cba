/** The panel's status line: what the last action did, or why it failed (announced politely). */
import { el, messageOf } from './dom';

/** The status line's element (the composer places it). */
export const statusLine = el('div', { id: 'status', role: 'status', 'aria-live': 'polite' });

/** Shows what happened ('' clears the line). */
export function setStatus(text: string, isError = false): void {
  statusLine.textContent = text;
  statusLine.classList.toggle('error', isError);
}

/** Shows why an action failed: the host's sentence, or the error's message. */
export function showError(err: unknown): void {
  setStatus(messageOf(err), true);
}
