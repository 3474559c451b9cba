/**
 * What the panel saves with setState: the drafts, the history, the view options, and the newest rows of the
 * log. VS Code keeps it while the panel is hidden (the webview is torn down) and across window reloads; the
 * serializer reads endpointId and label from it (shared/protocol PanelStateSchema). Every section edits its own
 * part and calls persist().
 */
import { restoreAutoReply, type AutoReplyDraft } from './autoReply/ruleRows';
import type { RelayDirection } from '../shared/model';
import type { Draft } from './composer/draft';
import type { SavedLog } from './traffic/savedRows';
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
  /** A framed record's delimiter is left out of its row (shown dimmed otherwise). */
  hideDelimiters?: boolean;
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
  /** Relays: the side the composer injects toward. */
  direction: RelayDirection;
  /** The user wrote the destination: it no longer follows the last peer heard from. */
  toEdited: boolean;
  /** What each running repeat sends, by repeat id (for its indicator). */
  repeatNames: Record<string, string>;
  intervalMs: string;
  count: string;
  history: Draft[];
  view: ViewOptions;
  autoReply: AutoReplyDraft;
  /** The auto-reply spec last applied from this panel (JSON), to tell whether the one shown is applied. */
  appliedAutoReply: string;
  /** Which of History and Auto-reply are open. */
  open: { history: boolean; autoReply: boolean };
  /** The newest rows and counters of the log, shown again after a window reload (the endpoint is gone then). */
  saved?: SavedLog;
}

const saved = (vscode.getState() ?? {}) as Partial<PanelState>;
const draft: Draft = { data: '', format: 'text', encoding: 'utf8', lineEnding: 'none', escapes: true };

/** The panel's state, restored from what VS Code kept (the auto-reply checked field by field). */
export const state: PanelState = {
  endpointId: '',
  label: '',
  draft,
  target: '',
  to: '',
  toEdited: false,
  repeatNames: {},
  intervalMs: '1000',
  count: '',
  history: [],
  view: { mode: 'both', filter: '', follow: true, showDate: false },
  appliedAutoReply: '',
  open: { history: false, autoReply: false },
  ...saved,
  // An auto-reply saved before it had an encoding of its own had the composer's.
  autoReply: restoreAutoReply(saved.autoReply, saved.draft?.encoding ?? draft.encoding),
  direction: saved.direction === 'toClient' ? 'toClient' : 'toUpstream',
};

/** The panel was restored with a draft of its own (the host's defaults do not replace it). */
export const hadSavedDraft = saved.draft !== undefined;

/**
 * Saves the state. VS Code JSON-serializes it on the panel's thread at every call, so the saved rows are kept
 * as one ready-made string (copied, not walked) and refreshed on their own, slower schedule (traffic.ts).
 */
export function persist(): void {
  vscode.setState(state);
}
