/**
 * Just enough of the `vscode` module for the host's tree provider and public API to run in a plain Node
 * process during benchmarks (bench/labProc.ts is bundled with `vscode` aliased to this file). It is not a
 * test double: nothing here asserts anything; it only lets the real host code do its real work.
 */
type Listener<T> = (e: T) => unknown;

export class EventEmitter<T> {
  private listeners: Listener<T>[] = [];
  readonly event = (fn: Listener<T>) => {
    this.listeners = [...this.listeners, fn];
    return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== fn)) };
  };
  /** Counts fires, so the benchmark can report how often the UI would have been told. */
  fired = 0;
  fire(e: T): void {
    this.fired++;
    for (const l of this.listeners) l(e);
  }
  dispose(): void {
    this.listeners = [];
  }
}

export enum TreeItemCollapsibleState {
  None = 0,
  Collapsed = 1,
  Expanded = 2,
}

export class TreeItem {
  id?: string;
  description?: string;
  contextValue?: string;
  iconPath?: unknown;
  tooltip?: unknown;
  command?: unknown;
  constructor(
    public label: string,
    public collapsibleState: TreeItemCollapsibleState = TreeItemCollapsibleState.None,
  ) {}
}

export class ThemeColor {
  constructor(public id: string) {}
}

export class ThemeIcon {
  constructor(
    public id: string,
    public color?: ThemeColor,
  ) {}
}

export class MarkdownString {
  isTrusted = false;
  constructor(
    public value = '',
    public supportThemeIcons = false,
  ) {}
  appendMarkdown(text: string): this {
    this.value += text;
    return this;
  }
}

export const l10n = {
  t(message: string, ...args: unknown[]): string {
    return args.length
      ? message.replace(/\{(\d+)\}/g, (m, i) => (Number(i) < args.length ? String(args[Number(i)]) : m))
      : message;
  },
};
