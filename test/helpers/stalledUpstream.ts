/** An upstream whose connects hang: the peer test/peers/no_accept.py with its accept queue filled. */
import * as net from 'net';
import * as path from 'path';
import { PEERS_DIR, startPeer, waitForOutput } from './peers';
import { fillAcceptQueue } from './sockets';

/** A server on 127.0.0.1 that never accepts and whose queue is full, and how to end it. */
export interface StalledUpstream {
  /** The port on 127.0.0.1 where connects hang. */
  port: number;
  /** Destroys the sockets that fill the queue and kills the peer. */
  close: () => Promise<void>;
}

/**
 * Starts no_accept.py (living at most `seconds`) and fills its accept queue; the caller closes it (a test
 * asks for python3 with requirePeer first). Whatever was started is closed again when filling fails.
 */
export async function stalledUpstream(seconds = 20): Promise<StalledUpstream> {
  const noAccept = startPeer('python3', [path.join(PEERS_DIR, 'no_accept.py'), String(seconds)]);
  const fillers: net.Socket[] = [];
  const close = async () => {
    for (const f of fillers) f.destroy();
    await noAccept.kill();
  };
  try {
    const [, port] = await waitForOutput(noAccept, /^(\d+)$/m);
    await fillAcceptQueue(Number(port), fillers);
    return { port: Number(port), close };
  } catch (e) {
    await close();
    throw e;
  }
}
