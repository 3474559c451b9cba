/** The auto-reply draft was edited (any field of any mode): the box says whether what it shows is applied. */
const listeners: (() => void)[] = [];

/** Calls `listener` after every edit of the auto-reply draft. */
export function onAutoReplyEdited(listener: () => void): void {
  listeners.push(listener);
}

/** Tells the listeners the auto-reply draft changed. */
export function autoReplyEdited(): void {
  for (const listener of listeners) listener();
}
