/** Test certificates made with selfsigned: a root → intermediate → leaf chain, a lone self-signed one, an expired one. */
import * as fs from 'fs';
import * as path from 'path';
import { generate } from 'selfsigned';

/** A certificate and its key (PEM). */
export interface Pem {
  cert: string;
  key: string;
}

const DAY = 86_400_000;

/** A CA certificate (self-signed unless `issuer` is given: then an intermediate). */
export async function makeCa(cn: string, issuer?: Pem): Promise<Pem> {
  const r = await generate([{ name: 'commonName', value: cn }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: new Date(Date.now() - DAY),
    notAfterDate: new Date(Date.now() + 30 * DAY),
    ca: issuer,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { cert: r.cert, key: r.private };
}

/** A server certificate for `names` (DNS or IP), signed by `issuer` or self-signed; `expired` puts it in the past. */
export async function makeLeaf(
  names: string[],
  options: { issuer?: Pem; expired?: boolean; cn?: string } = {},
): Promise<Pem> {
  const now = Date.now();
  const r = await generate([{ name: 'commonName', value: options.cn ?? names[0] }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: new Date(options.expired ? now - 40 * DAY : now - DAY),
    notAfterDate: new Date(options.expired ? now - 10 * DAY : now + 30 * DAY),
    ca: options.issuer,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
      {
        name: 'subjectAltName',
        altNames: names.map((n) =>
          /^[\d.]+$|:/.test(n) ? { type: 7 as const, ip: n } : { type: 2 as const, value: n },
        ),
      },
    ],
  });
  return { cert: r.cert, key: r.private };
}

/** Writes `text` to `dir/name` and returns the path. */
export function writeFile(dir: string, name: string, text: string | Buffer): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}
