/**
 * What the panel saves with setState: the drafts, the history, the view options. VS Code keeps it while the
 * panel is hidden (the webview is torn down) and across window reloads; the serializer reads endpointId and
 * label from it (shared/protocol PanelStateSchema). Every section edits its own part and calls persist().
 */
import { restoreAutoReply, type AutoReplyDraft } from './autoReply/ruleRows';
import type { Draft } from './composer/draft';
import { vscode } from './vscodeApi';

/** How the log shows a record's data. */
export const VIEW_MODES = ['text', 'hex', 'both'] as const;

/** The traffic view's options. */
export interface ViewOptions {
  mode: (typeof VIEW_MODES)[number];
  filter: string;
  /** The list follows new rows (scrolled to the end). */
  follow: boolean;
  showDate: boolean;
}

/** The panel's saved state. */
export interface PanelState {
  endpointId: string;
  label: string;
  draft: Draft;
  /** The endpoint, connection or peer id the composer sends to. */
  target: string;
  /** A UDP destination as typed ('host:port'). */
  to: string;
  /** The user wrote the destination: it no longer follows the last peer heard from. */
  toEdited: boolean;
  /** What each running repeat sends, by repeat id (for its indicator). */
  repeatNames: Record<string, string>;
  intervalMs: string;
  count: string;
  history: Draft[];
  view: ViewOptions;
  autoReply: AutoReplyDraft;
}

const saved = (vscode.getState() ?? {}) as Partial<PanelState>;

/** The panel's state, restored from what VS Code kept (the auto-reply checked field by field). */
export const state: PanelState = {
  endpointId: '',
  label: '',
  draft: { data: '', format: 'text', encoding: 'utf8', lineEnding: 'none', escapes: true },
  target: '',
  to: '',
  toEdited: false,
  repeatNames: {},
  intervalMs: '1000',
  count: '',
  history: [],
  view: { mode: 'both', filter: '', follow: true, showDate: false },
  ...saved,
  autoReply: restoreAutoReply(saved.autoReply),
};

/** The panel was restored with a draft of its own (the host's defaults do not replace it). */
export const hadSavedDraft = saved.draft !== undefined;

/** Saves the state (cheap: VS Code serializes it off the panel's thread). */
export function persist(): void {
  vscode.setState(state);
}
