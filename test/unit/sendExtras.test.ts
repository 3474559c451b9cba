import * as assert from 'assert';
import { composePayload, expandBuiltins } from '../../src/core/composePayload';
import { encodePayload } from '../../src/core/codec';
import { assertSocketLabError, throwsSocketLabError } from '../helpers/errors';
import { withLab } from '../helpers/lab';
import { fixedBuiltins } from '../helpers/requestFiles';
import { portOf, rawServer } from '../helpers/sockets';
import { waitFor } from '../helpers/wait';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('composePayload: the composer and send command extras (checksum, built-ins)', () => {
  it('without extras it is encodePayload itself', () => {
    const spec = { data: 'hi\\n', format: 'text' as const, lineEnding: 'crlf' as const };
    assert.strictEqual(hex(composePayload(spec)), hex(encodePayload(spec)));
  });

  it('appends a MODBUS CRC low byte first (the protocol read-holding-registers request)', () => {
    // 01 03 00 00 00 0a is the classic request; its CRC-16/MODBUS is 0xcdc5, sent c5 cd.
    const bytes = composePayload({ data: '01 03 00 00 00 0a', format: 'hex', checksum: 'crc16-modbus' });
    assert.strictEqual(hex(bytes), '01030000000ac5cd');
    const be = composePayload({
      data: '01 03 00 00 00 0a',
      format: 'hex',
      checksum: 'crc16-modbus',
      checksumEndian: 'be',
    });
    assert.strictEqual(hex(be), '01030000000acdc5');
  });

  it('puts the line ending after the checksum, which covers the payload alone', () => {
    // sum8 of "AB" is 0x83.
    const bytes = composePayload({ data: 'AB', format: 'text', checksum: 'sum8', lineEnding: 'crlf' });
    assert.strictEqual(hex(bytes), '4142830d0a');
  });

  it('refuses checksumEndian without a checksum, naming the field', () => {
    const err = throwsSocketLabError(
      () => composePayload({ data: 'x', format: 'text', checksumEndian: 'le' }),
      'invalidArgument',
      { field: 'checksumEndian' },
    );
    assert.match(err.message, /^checksumEndian applies only with checksum\.$/);
  });

  it('expands built-ins only when asked, a fresh counter value each time', () => {
    const ctx = fixedBuiltins();
    const spec = { data: 'n={{$counter}}', format: 'text' as const, variables: true };
    assert.strictEqual(Buffer.from(composePayload(spec, ctx)).toString(), 'n=1');
    assert.strictEqual(Buffer.from(composePayload(spec, ctx)).toString(), 'n=2');
    assert.strictEqual(Buffer.from(composePayload({ ...spec, variables: false }, ctx)).toString(), 'n={{$counter}}');
  });

  it('expands built-ins in hex before decoding, and the checksum covers the expanded bytes', () => {
    const ctx = fixedBuiltins();
    const bytes = composePayload({ data: '0{{$counter}} 03', format: 'hex', checksum: 'xor8', variables: true }, ctx);
    assert.strictEqual(hex(bytes), '010302');
  });

  it('refuses a request-file variable in a payload, and a bad built-in at its position', () => {
    const ctx = fixedBuiltins();
    const unknown = throwsSocketLabError(() => expandBuiltins('ab {{host}}', ctx), 'notBuiltinVariable', {
      reference: '{{host}}',
      position: 4,
    });
    assert.match(unknown.message, /^Only built-in variables have a value in a payload \(\{\{\$counter\}\},/);
    // A built-in with a syntax problem keeps its own code, and says where it is.
    assert.throws(
      () => expandBuiltins('x{{$randomInt 9}}', ctx),
      (err: { values: { position: number }; message: string }) =>
        err.values.position === 2 && /\(at position 2 of the payload\)\.$/.test(err.message),
    );
  });
});

describe('composePayload: which reference is named, and the line ending after a checksum', () => {
  it('names the reference that failed: a built-in keeps its own sentence, a variable after a built-in is named', () => {
    const ctx = fixedBuiltins();
    const unset = throwsSocketLabError(() => expandBuiltins('id={{$env NOT_SET_HERE}}', ctx), 'unknownVariable', {
      position: 4,
    });
    assert.strictEqual(
      unset.message,
      'The environment variable NOT_SET_HERE is not set (at position 4 of the payload).',
    );
    throwsSocketLabError(() => expandBuiltins('{{$counter}} {{name}}', ctx), 'notBuiltinVariable', {
      reference: '{{name}}',
      position: 14,
    });
  });

  it('a text line ending after a checksum is in the text encoding; after hex it is plain CR LF', () => {
    const wide = composePayload({
      data: 'A',
      format: 'text',
      encoding: 'utf-16le',
      checksum: 'sum8',
      lineEnding: 'crlf',
    });
    assert.strictEqual(hex(wide), '4100' + '41' + '0d000a00');
    const bytes = composePayload({ data: '41', format: 'hex', checksum: 'sum8', lineEnding: 'crlf' });
    assert.strictEqual(hex(bytes), '41410d0a');
  });
});

describe('the send command with checksum and variables (real loopback)', function () {
  this.timeout(20000);

  it('sends the payload with its checksum to a real peer', async () => {
    const server = await rawServer();
    try {
      await withLab(async (lab) => {
        const client = await lab.connectTcp({ host: '127.0.0.1', port: server.port });
        const r = await lab.send({
          target: client.id,
          data: '01 03 00 00 00 0a',
          format: 'hex',
          checksum: 'crc16-modbus',
        });
        assert.strictEqual(r.bytes, 8);
        await waitFor('the 8 bytes at the peer', () => server.received().length === 8);
        assert.strictEqual(server.received().toString('hex'), '01030000000ac5cd');
      });
    } finally {
      await server.close();
    }
  });

  it('single sends count per endpoint; a repeat counts from 1 and builds every send anew', async () => {
    const server = await rawServer();
    try {
      await withLab(async (lab) => {
        const client = await lab.connectTcp({ host: '127.0.0.1', port: server.port });
        await lab.send({ target: client.id, data: '<{{$counter}}>', variables: true });
        await lab.send({ target: client.id, data: '<{{$counter}}>', variables: true });
        await waitFor('two single sends', () => server.received().toString() === '<1><2>');
        const ended = new Promise((resolve) => lab.onDidEndRepeat(resolve));
        await lab.send({
          target: client.id,
          data: '[{{$counter}}]',
          variables: true,
          repeat: { intervalMs: 1, count: 5 },
        });
        await ended;
        await waitFor('five repeated sends', () => server.received().length === '<1><2>'.length + 5 * 3);
        assert.strictEqual(server.received().toString(), '<1><2>[1][2][3][4][5]');
      });
    } finally {
      await server.close();
    }
  });

  it('refuses a payload whose built-in is wrong before anything is sent', async () => {
    const server = await rawServer();
    try {
      await withLab(async (lab) => {
        const client = await lab.connectTcp({ host: '127.0.0.1', port: server.port });
        await assert.rejects(
          lab.send({ target: client.id, data: '{{nope}}', variables: true, repeat: { intervalMs: 10 } }),
          {
            code: 'notBuiltinVariable',
          },
        );
        assert.strictEqual(lab.get(client.id)?.bytesOut, 0);
      });
    } finally {
      await server.close();
    }
  });
});

describe('the send command refuses what cannot be sent, before sending', function () {
  this.timeout(20000);

  it('refuses waitMs together with repeat, naming waitMs', async () => {
    const server = await rawServer();
    try {
      await withLab(async (lab) => {
        const client = await lab.connectTcp({ host: '127.0.0.1', port: server.port });
        const err = await lab
          .send({ target: client.id, data: 'x', waitMs: 100, repeat: { intervalMs: 10, count: 2 } })
          .catch((e: unknown) => e);
        assertSocketLabError(err, 'invalidArgument', { field: 'waitMs' });
        assert.strictEqual(
          (err as Error).message,
          'waitMs cannot be combined with repeat; wait for replies with traffic() instead.',
        );
        assert.deepStrictEqual(lab.activeRepeats(), []);
        assert.strictEqual(lab.get(client.id)!.bytesOut, 0);
      });
    } finally {
      await server.close();
    }
  });

  it("refuses 'direction' on what is not a relay, naming the endpoint", async () => {
    const server = await rawServer();
    try {
      await withLab(async (lab) => {
        const client = await lab.connectTcp({ host: '127.0.0.1', port: server.port });
        const err = await lab.send({ target: client.id, data: 'x', direction: 'toUpstream' }).catch((e: unknown) => e);
        const name = `TCP → 127.0.0.1:${server.port}`;
        assertSocketLabError(err, 'invalidArgument', { field: 'direction', id: client.id, endpoint: name });
        assert.strictEqual(
          (err as Error).message,
          `direction is only for relays; ${name} is not one: leave 'direction' out.`,
        );
        assert.strictEqual(lab.get(client.id)!.bytesOut, 0);
      });
    } finally {
      await server.close();
    }
  });

  it('refuses a send through a client in error, quoting why', async () => {
    const server = await rawServer();
    try {
      await withLab(async (lab) => {
        const client = await lab.connectTcp({ host: '127.0.0.1', port: server.port });
        await waitFor('accepted', () => server.sockets.length === 1);
        server.sockets[0].resetAndDestroy();
        await waitFor('the client in error', () => lab.get(client.id)!.state === 'error');
        const info = lab.get(client.id)!;
        const err = await lab.send({ target: client.id, data: 'x' }).catch((e: unknown) => e);
        assertSocketLabError(err, 'endpointClosed', { id: client.id, problem: info.error! });
        assert.strictEqual(
          (err as Error).message,
          `TCP → 127.0.0.1:${server.port} is in error (${info.error}); restart it first.`,
        );
      });
    } finally {
      await server.close();
    }
  });

  it('a send that waits for the reply rejects at once when the send itself fails', () =>
    withLab(async (lab) => {
      const sink = await lab.startUdpListener({ host: '127.0.0.1', port: 0 });
      const u = await lab.startUdpListener({ host: '127.0.0.1', port: 0 });
      const err = await lab
        .send({ target: u.id, data: 'x'.repeat(70000), to: { host: '127.0.0.1', port: portOf(sink) }, waitMs: 15000 })
        .catch((e: unknown) => e);
      assertSocketLabError(err, 'payloadTooLarge');
      assert.strictEqual(lab.get(u.id)!.bytesOut, 0);
    }));
});
