/** Host names to addresses, through an injectable resolver so that tests never send a DNS query. */
import * as dns from 'dns';
import * as net from 'net';
import { toSocketLabError } from './systemErrors';

/** A host name resolver with the shape of dns.lookup (injectable so tests never query DNS). */
export type LookupFunction = net.LookupFunction;

/** Resolves `host` to one address (IP literals pass through), mapping failures to 'hostNotFound'. */
export function resolveHost(
  host: string,
  lookup: LookupFunction = dns.lookup as LookupFunction,
): Promise<{ address: string; family: 4 | 6 }> {
  const literal = net.isIP(host);
  if (literal) {
    return Promise.resolve({ address: host, family: literal as 4 | 6 });
  }
  return new Promise((resolve, reject) => {
    try {
      lookup(host, { all: false }, (err, address, family) => {
        if (err || typeof address !== 'string' || !net.isIP(address)) {
          reject(
            toSocketLabError(err ?? Object.assign(new Error('no address'), { code: 'ENOTFOUND' }), {
              operation: 'resolve',
              host,
            }),
          );
        } else {
          resolve({ address, family: family === 6 || net.isIPv6(address) ? 6 : 4 });
        }
      });
    } catch (err) {
      reject(toSocketLabError(err, { operation: 'resolve', host }));
    }
  });
}
