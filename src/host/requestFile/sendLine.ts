/**
 * "Send to…" above a `send` line: its payload (variables from the environment and the `@` lines above it)
 * sent through an open endpoint, connection or UDP peer the user picks, byte for byte.
 */
import * as vscode from 'vscode';
import { sendLineBytes } from '../../core/requestFile/sendLine';
import type { SocketLab } from '../../core/socketLab';
import { toHex } from '../../shared/display';
import { parseRequestFile } from '../../shared/requestFile/parser';
import { lastPeerOf, needsDestination } from '../commands/send';
import { pickTarget } from '../commands/pickers';
import type { PromptMemory } from '../prompts';
import { askDestination } from '../prompts';
import { environmentFor, requestFileText } from './documents';

/** What was sent, or undefined when the user cancelled a prompt. */
export interface SentLine {
  target: string;
  bytes: number;
}

/** Sends the `send` on 1-based `line` of `uri` through an endpoint the user picks. Throws SocketLabError. */
export async function sendRequestLine(
  lab: SocketLab,
  memory: PromptMemory,
  uri: vscode.Uri,
  line: number,
): Promise<SentLine | undefined> {
  const env = environmentFor(uri);
  if (env.error) throw env.error;
  const bytes = sendLineBytes(parseRequestFile(await requestFileText(uri)).file, line, env.values);
  const target = await pickTarget(lab, vscode.l10n.t('Send line {0} to', line), true);
  if (!target) return undefined;
  let to: { host: string; port: number } | undefined;
  if (needsDestination(lab, target)) {
    to = await askDestination(
      memory,
      vscode.l10n.t('Send line {0} to', line),
      '127.0.0.1:9000',
      lastPeerOf(lab, target),
    );
    if (!to) return undefined;
  }
  // Hex carries the exact bytes through the send command's path (counters, log, capture all see them).
  const result = await lab.send({ target, data: toHex(bytes), format: 'hex', ...(to ? { to } : {}) });
  vscode.window.setStatusBarMessage(vscode.l10n.t('Socket Lab: sent {0} bytes', result.bytes), 3000);
  return { target, bytes: result.bytes };
}
