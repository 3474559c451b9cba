/**
 * Requests to the host as typed promises: `request('send', {...})` resolves with the send's result,
 * checked against the protocol's result schema for that request type, or rejects with the host's sentence.
 */
import {
  parseResult,
  type HostMessage,
  type RequestParams,
  type RequestType,
  type ResultOf,
  type WebviewRequest,
} from '../shared/protocol';
import { vscode } from './vscodeApi';

type Response = Extract<HostMessage, { type: 'response' }>;

interface Pending {
  settle(response: Response): void;
}

let nextId = 1;
const pending = new Map<number, Pending>();

/** Asks the host to run a request; resolves with its result (validated), rejects with the host's error sentence. */
export function request<K extends RequestType>(type: K, params: RequestParams<K>): Promise<ResultOf<K>> {
  const id = nextId++;
  return new Promise<ResultOf<K>>((resolve, reject) => {
    pending.set(id, {
      settle(response) {
        if (!response.ok) return reject(new Error(response.error));
        const result = parseResult(type, response.result);
        if (result.ok) resolve(result.message);
        else reject(new Error(result.error));
      },
    });
    // The request as the protocol defines it: its type, its id and its fields.
    vscode.postMessage({ ...params, type, id } as WebviewRequest);
  });
}

/** Settles the request a response answers (a response to no pending request is ignored). */
export function settle(response: Response): void {
  const p = pending.get(response.id);
  if (!p) return;
  pending.delete(response.id);
  p.settle(response);
}
