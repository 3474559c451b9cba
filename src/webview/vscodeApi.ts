/** The webview's handle on VS Code: post to the host, and the state VS Code keeps across hides and reloads. */
import type { WebviewMessage } from '../shared/protocol';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** The one handle (acquireVsCodeApi may be called only once per page). */
export const vscode = acquireVsCodeApi();
