/**
 * What the host told this page and is not saved (the host sends it again after every load): the endpoint
 * as it is now (null once it is gone) and the encodings offered. Written by the message loop in main.ts.
 */
import type { EndpointView } from '../shared/protocol';

/** The page's view of the host. */
export const session: { endpoint: EndpointView | null; encodings: readonly string[] } = {
  endpoint: null,
  encodings: ['utf8'],
};
