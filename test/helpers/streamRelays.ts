/** Starts a core StreamRelay on 127.0.0.1 (a free port) for tests, collecting its closed pairs and failures. */
import { StreamRelay } from '../../src/core/relay/streamRelay';
import { RelayFailure, RelayPairInfo, StreamRelayOptions } from '../../src/core/relay/relayTypes';

/** A started relay, its port, and what it reported so far. */
export interface StartedStreamRelay {
  relay: StreamRelay;
  port: number;
  closed: RelayPairInfo[];
  failures: RelayFailure[];
}

/** A relay 'r1' with a 5 s connect timeout unless `options` say otherwise; the caller disposes it. */
export async function startStreamRelay(
  options: Partial<StreamRelayOptions> & Pick<StreamRelayOptions, 'upstream'>,
): Promise<StartedStreamRelay> {
  const relay = new StreamRelay({
    id: 'r1',
    listen: { address: '127.0.0.1', port: 0 },
    connectTimeoutMs: 5000,
    ...options,
  });
  const closed: RelayPairInfo[] = [];
  const failures: RelayFailure[] = [];
  relay.onDidClosePair((p) => closed.push(p));
  relay.onDidFail((f) => failures.push(f));
  await relay.start();
  return { relay, port: (relay.local as { port: number }).port, closed, failures };
}
