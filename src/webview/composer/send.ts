/** Sending the composer's draft (once or as a repeat) and sending a file, to the target the composer shows. */
import { request } from '../rpc';
import { session } from '../session';
import { state } from '../state';
import { setStatus, showError } from '../statusLine';
import { tn } from '../strings';
import { payloadOf, repeatName } from './draft';
import { remember } from './history';
import { checkRepeatFields, repeatStarted } from './repeat';
import { sendTarget } from './target';

/** Sends the draft; with `repeat`, as a repeat of the Repeat fields (checked here, with a sentence naming the field). */
export async function sendDraft(repeat = false): Promise<void> {
  const endpoint = session.endpoint;
  if (!endpoint) return;
  try {
    const where = sendTarget(endpoint);
    const spec = repeat ? checkRepeatFields(true) : undefined;
    if (repeat && !spec) return;
    const name = repeatName(state.draft);
    const result = await request('send', { ...where, ...payloadOf(state.draft), ...(spec ? { repeat: spec } : {}) });
    remember(state.draft);
    if (result.repeatId) {
      repeatStarted(result.repeatId, name);
      setStatus('');
    } else {
      setStatus(tn(result.bytes, 'sent', result.bytes));
    }
  } catch (err) {
    showError(err);
  }
}

/** Asks the host to pick a file and send it to the target. */
export async function sendFile(): Promise<void> {
  const endpoint = session.endpoint;
  if (!endpoint) return;
  try {
    const result = await request('sendFile', sendTarget(endpoint));
    if (!result.cancelled) setStatus(tn(result.bytes, 'sentFile', result.bytes));
  } catch (err) {
    showError(err);
  }
}
