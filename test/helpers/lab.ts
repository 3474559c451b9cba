/** A SocketLab for one test, always disposed, and waiting on its endpoints. */
import { SocketLab, SocketLabOptions } from '../../src/core/socketLab';
import type { ConnectionInfo, TrafficRecord } from '../../src/shared/model';
import type { RawClient } from './sockets';
import type { EndpointSink } from '../../src/core/endpoints/endpoint';
import { waitFor } from './wait';

/** Runs `fn` with a fresh SocketLab and disposes it afterwards, whatever happens. */
export async function withLab<T>(fn: (lab: SocketLab) => Promise<T>, options?: SocketLabOptions): Promise<T> {
  const lab = new SocketLab(options);
  try {
    return await fn(lab);
  } finally {
    lab.dispose();
  }
}

/** Waits until `lab`'s endpoint `id` satisfies `cond`. */
export async function waitForEndpoint(
  lab: SocketLab,
  id: string,
  cond: (info: ReturnType<SocketLab['get']>) => boolean,
  what: string,
): Promise<void> {
  await waitFor(what, () => cond(lab.get(id)));
}

/** A value passed where the types refuse it, to check that the runtime refuses it too (callers of the API pass unknown data). */
export function unchecked<T>(value: unknown): T {
  return value as T;
}

/** The connection of listener `listenerId` whose peer is the raw client `client`, once it is listed. */
export function connectionOf(lab: SocketLab, listenerId: string, client: RawClient): Promise<ConnectionInfo> {
  const port = client.socket.localPort;
  return waitFor(`the connection from port ${port}`, () =>
    lab.get(listenerId)!.connections.find((c) => 'port' in c.remote && c.remote.port === port),
  );
}

/** `id`'s counters as `lab` lists it (a connection of the endpoint `endpointId`). */
export function connectionInfo(lab: SocketLab, endpointId: string, id: string): ConnectionInfo | undefined {
  return lab.get(endpointId)!.connections.find((c) => c.id === id);
}

/** The bytes as UTF-8 text. */
export const text = (bytes: Uint8Array) => Buffer.from(bytes).toString();

/** A record without its time (which is the clock's), for exact comparison. */
export function timeless(r: TrafficRecord): Record<string, unknown> {
  const { time: _time, data, ...rest } = r;
  return { ...rest, data: text(data) };
}

/** A sink for an endpoint built directly (not through SocketLab) whose reports the test does not look at. */
export const quietSink: EndpointSink = { changed: () => undefined, traffic: () => undefined, closed: () => undefined };
