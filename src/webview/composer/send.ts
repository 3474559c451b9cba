/**
 * Sending the composer's draft (once or as a repeat) and sending a file, to the target the composer shows; the
 * send status next to the Send button says what happened ("Sent 12 bytes to 2 connections") or why not.
 */
import type { ResultOf } from '../../shared/protocol';
import { restoreFocus } from '../dom';
import { request } from '../rpc';
import { session } from '../session';
import { state } from '../state';
import { t, tn } from '../strings';
import { payloadOf, repeatName } from './draft';
import { remember } from './history';
import { payloadIsValid } from './payloadCheck';
import { checkRepeatFields, repeatStarted } from './repeat';
import { sendStatus } from './sendStatus';
import { sendTarget } from './target';

/** Sends the draft; with `repeat`, as a repeat of the Repeat fields (checked here, with a sentence naming the field). */
export async function sendDraft(repeat = false): Promise<void> {
  const endpoint = session.endpoint;
  if (!endpoint) return;
  try {
    const where = sendTarget(endpoint);
    const spec = repeat ? checkRepeatFields(true) : undefined;
    if (repeat && !spec) return;
    // An invalid payload is reported once, under the field (and said again now): never sent to be refused.
    if (!(await payloadIsValid())) return;
    const draft = { ...state.draft };
    const result = await request('send', { ...where, ...payloadOf(draft), ...(spec ? { repeat: spec } : {}) });
    remember(draft);
    if (result.repeatId) {
      repeatStarted(result.repeatId, repeatName(draft));
      sendStatus.set('');
    } else {
      sendStatus.set(sentSentence(result));
    }
  } catch (err) {
    sendStatus.showError(err);
  }
}

/** "Sent 12 bytes to 2 connections", "Sent 5 bytes to 127.0.0.1:9000", or "Sent 5 bytes". */
export function sentSentence(result: ResultOf<'send'>): string {
  const bytes = tn(result.bytes, 'bytes', result.bytes.toLocaleString());
  if (result.connections !== undefined) return tn(result.connections, 'sentToConnections', bytes, result.connections);
  return result.to ? t('sentTo', bytes, result.to) : t('sent', bytes);
}

/** Asks the host to pick a file and send it to the target; the focus returns to `opener` after the dialog. */
export async function sendFile(opener: HTMLElement): Promise<void> {
  const endpoint = session.endpoint;
  if (!endpoint) return;
  try {
    const result = await request('sendFile', sendTarget(endpoint));
    if (!result.cancelled) sendStatus.set(tn(result.bytes, 'sentFile', result.bytes));
  } catch (err) {
    sendStatus.showError(err);
  } finally {
    restoreFocus(opener);
  }
}
