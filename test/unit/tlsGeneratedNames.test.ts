import * as assert from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import '../helpers/noLeaks';
import { GENERATED_FILES, ensureGeneratedCredentials, namesFor } from '../../src/core/tls/certificates';
import { writeFile } from '../helpers/certs';
import { assertSocketLabError } from '../helpers/errors';
import { tempDir } from '../helpers/tempDir';

const DAY = 86_400_000;
const LOOPBACK = ['localhost', '127.0.0.1', '::1'];

/** The day after which the leaf of `cert` (PEM) is renewed anyway: a day inside its last week. */
const nearEnd = (cert: string) => new Date(Date.parse(new crypto.X509Certificate(cert).validTo) - 2 * DAY);

describe('TLS certificates: the names a generated leaf keeps', function () {
  this.timeout(20000);
  let dir: string;
  let remove: () => void;
  beforeEach(() => ({ dir, remove } = tempDir()));
  afterEach(() => remove());

  it('namesFor reads an IPv6 address whose part after :: has several groups (::0:1 is ::1)', () => {
    assert.deepStrictEqual(namesFor('::0:1'), LOOPBACK);
    assert.deepStrictEqual(namesFor('0:0::0:0:1'), LOOPBACK);
    assert.deepStrictEqual(namesFor('::1:1'), [...LOOPBACK, '::1:1']);
  });

  it('an IP address the kept leaf lacks makes a new leaf that holds it', async () => {
    await ensureGeneratedCredentials(dir);
    const withIp = await ensureGeneratedCredentials(dir, { host: '10.1.2.3' });
    assert.strictEqual(withIp.made, 'leaf');
    assert.deepStrictEqual(withIp.names, [...LOOPBACK, '10.1.2.3']);
    assert.strictEqual(new crypto.X509Certificate(withIp.cert).checkIP('10.1.2.3'), '10.1.2.3');
  });

  it('a leaf file removed is made anew for the names wanted, and no others', async () => {
    await ensureGeneratedCredentials(dir);
    fs.rmSync(path.join(dir, GENERATED_FILES.cert));
    const again = await ensureGeneratedCredentials(dir);
    assert.strictEqual(again.made, 'leaf');
    assert.deepStrictEqual(again.names, LOOPBACK);
  });

  it('names that differ only in zeros inside a group or in front of a label are kept apart', async () => {
    await ensureGeneratedCredentials(dir, { host: 'fd00::11' });
    const ipv6 = await ensureGeneratedCredentials(dir, { host: 'fd00::101' });
    assert.strictEqual(ipv6.made, 'leaf');
    assert.deepStrictEqual(ipv6.names, [...LOOPBACK, 'fd00::101', 'FD00:0:0:0:0:0:0:11']);
    await ensureGeneratedCredentials(dir, { host: '7.lab.example' });
    const dns = await ensureGeneratedCredentials(dir, { host: '007.lab.example' });
    assert.strictEqual(dns.made, 'leaf');
    assert.deepStrictEqual(dns.names.slice(3, 5), ['007.lab.example', '7.lab.example']);
  });

  it('a renewed leaf for an address ending in :: holds it once, not again as OpenSSL prints it', async () => {
    const first = await ensureGeneratedCredentials(dir, { host: 'fd00::' });
    assert.deepStrictEqual(first.names, [...LOOPBACK, 'fd00::']);
    const renewed = await ensureGeneratedCredentials(dir, { host: 'fd00::', now: nearEnd(first.cert) });
    assert.strictEqual(renewed.made, 'leaf');
    assert.deepStrictEqual(renewed.names, [...LOOPBACK, 'fd00::']);
  });

  it('the refusal of a folder that is not ours names that folder', async () => {
    const file = writeFile(dir, 'file', 'x');
    const err = await ensureGeneratedCredentials(file).then(
      () => assert.fail('expected a refusal'),
      (e: unknown) => e,
    );
    assertSocketLabError(err, 'tlsFolderNotOurs', { folder: file });
    assert.strictEqual(
      (err as Error).message,
      `The folder ${file} for the generated TLS certificates is not a folder of this user (it is a link, a file, or owned by someone else); remove it or choose another folder.`,
    );
  });
});
