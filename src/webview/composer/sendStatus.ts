/** The send status next to the Send button: what the last send did, or why not (cleared when it no longer applies). */
import { statusLine } from '../statusLine';

/** The composer's send status line. */
export const sendStatus = statusLine('send-status');
