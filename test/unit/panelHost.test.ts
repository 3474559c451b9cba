// The send panel's host side that needs no vscode: the Format switch's conversion (host/panel/payloadConvert),
// where an empty UDP Destination sends when a panel opens (trafficFeed's lastReceived, from the endpoint's log),
// and the auto-reply's records marked as such from the core to what the panel is posted, on real sockets.
import * as assert from 'assert';
import * as dgram from 'dgram';
import '../helpers/noLeaks';
import { encodePayload } from '../../src/core/codec';
import { convertPayload } from '../../src/host/panel/payloadConvert';
import { lastReceived, toRecordViews } from '../../src/host/panel/trafficFeed';
import { PAYLOAD_MAX_CHARS } from '../../src/shared/limits';
import { isSocketLabError } from '../../src/shared/errors';
import { withLab } from '../helpers/lab';
import { portOf, rawConnect } from '../helpers/sockets';
import { waitFor } from '../helpers/wait';

/** The sentence convertPayload throws (it fails with a SocketLabError naming why). */
function refusal(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    assert.ok(isSocketLabError(err), String(err));
    return err.message;
  }
  assert.fail('expected a refusal');
}

describe('send panel host: format switch conversion', () => {
  it('rewrites a payload text <-> hex <-> base64 as the same bytes, without the line ending', () => {
    assert.strictEqual(convertPayload({ data: 'Hi\\r\\n', format: 'text', into: 'hex' }), '48 69 0d 0a');
    assert.strictEqual(convertPayload({ data: '48 69 0d 0a', format: 'hex', into: 'base64' }), 'SGkNCg==');
    assert.strictEqual(convertPayload({ data: 'SGkNCg==', format: 'base64', into: 'text' }), 'Hi\\r\\n');
    // The line ending is a text option added when sending: never part of the converted bytes.
    assert.strictEqual(convertPayload({ data: 'Hi', format: 'text', lineEnding: 'crlf', into: 'hex' }), '48 69');
    // In the encoding of the composer.
    assert.strictEqual(convertPayload({ data: '温度', format: 'text', encoding: 'gbk', into: 'hex' }), 'ce c2 b6 c8');
    assert.strictEqual(convertPayload({ data: 'ce c2 b6 c8', format: 'hex', encoding: 'gbk', into: 'text' }), '温度');
    // Nothing to convert, or the same format: as written.
    assert.strictEqual(convertPayload({ data: '', format: 'hex', into: 'text' }), '');
    assert.strictEqual(convertPayload({ data: 'zz', format: 'hex', into: 'hex' }), 'zz');
  });

  it('writes bytes that are no character, and controls, as escapes, so the text sends the same bytes', () => {
    const bytes = Uint8Array.from([0x00, 0x41, 0xff, 0xe6, 0x88, 0x91, 0x0a]);
    const text = convertPayload({ data: Buffer.from(bytes).toString('hex'), format: 'hex', into: 'text' });
    assert.strictEqual(text, '\\0A\\xff我\\n');
    assert.deepStrictEqual(encodePayload({ data: text, format: 'text' }), bytes);
  });

  it('says why it cannot: not valid as written, not plain text without escapes, too long', () => {
    assert.match(
      refusal(() => convertPayload({ data: '48 6', format: 'hex', into: 'base64' })),
      /odd number of digits/,
    );
    assert.match(
      refusal(() => convertPayload({ data: '%%', format: 'base64', into: 'hex' })),
      /[Bb]ase64/,
    );
    assert.match(
      refusal(() => convertPayload({ data: '00 41', format: 'hex', escapes: false, into: 'text' })),
      /not plain utf8 text .* turn on Escapes/,
    );
    assert.match(
      refusal(() => convertPayload({ data: 'ff', format: 'hex', encoding: 'utf8', escapes: false, into: 'text' })),
      /turn on Escapes/,
    );
    // Plain text converts without escapes, line breaks and tabs included.
    assert.strictEqual(convertPayload({ data: '61 0a 09 62', format: 'hex', escapes: false, into: 'text' }), 'a\n\tb');
    const long = 'a'.repeat(Math.ceil(PAYLOAD_MAX_CHARS / 3) + 1);
    assert.match(
      refusal(() => convertPayload({ data: long, format: 'text', into: 'hex' })),
      /longer than/,
    );
  });
});

describe('send panel host: the last peer and the auto-reply records', () => {
  it('finds the last peer heard from in a log that ends with sends, within a bounded scan', () =>
    withLab(async (lab) => {
      const info = await lab.startUdpListener({ host: '127.0.0.1', port: 0 });
      const peer = dgram.createSocket('udp4');
      try {
        await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', resolve));
        peer.send('hello', portOf(info), '127.0.0.1');
        await waitFor('the datagram in the log', () => lab.traffic(info.id).length === 1);
        const peerAddress = `127.0.0.1:${peer.address().port}`;
        for (let i = 0; i < 5; i++)
          await lab.send({ target: info.id, data: `reply ${i}`, to: { host: '127.0.0.1', port: peer.address().port } });
        const log = lab.trafficLog(info.id);
        assert.strictEqual(lastReceived(log)?.peer, peerAddress);
        // Only the newest records are looked at: five sends after it and a scan of three miss it.
        assert.strictEqual(lastReceived(log, 3), undefined);
        assert.strictEqual(lastReceived(log, 6)?.peer, peerAddress);
      } finally {
        peer.close();
      }
    }));

  it('marks what the auto-reply sent (TCP and UDP), not what a send sent, up to the records posted to the panel', () =>
    withLab(async (lab) => {
      const tcp = await lab.startTcpListener({ host: '127.0.0.1', port: 0, autoReply: { mode: 'echo' } });
      const client = await rawConnect({ host: '127.0.0.1', port: portOf(tcp) });
      client.socket.write('ping');
      await waitFor('the echo', () => client.received().toString() === 'ping');
      await lab.send({ target: tcp.id, data: 'sent' });
      await waitFor('the send', () => client.received().toString() === 'pingsent');
      const records = lab.traffic(tcp.id);
      assert.deepStrictEqual(
        records.map((r) => [r.direction, Buffer.from(r.data).toString(), r.autoReply]),
        [
          ['in', 'ping', undefined],
          ['out', 'ping', true],
          ['out', 'sent', undefined],
        ],
      );
      assert.deepStrictEqual(
        toRecordViews(records, 0).map((r) => r.auto),
        [undefined, true, undefined],
      );
      client.socket.destroy();

      const udp = await lab.startUdpListener({
        host: '127.0.0.1',
        port: 0,
        autoReply: { mode: 'fixed', data: 'pong' },
      });
      const peer = dgram.createSocket('udp4');
      try {
        const got: string[] = [];
        peer.on('message', (m) => got.push(m.toString()));
        await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', resolve));
        peer.send('ping', portOf(udp), '127.0.0.1');
        await waitFor('the UDP reply', () => got.includes('pong'));
        assert.deepStrictEqual(
          lab.traffic(udp.id).map((r) => [r.direction, r.autoReply]),
          [
            ['in', undefined],
            ['out', true],
          ],
        );
      } finally {
        peer.close();
      }
    }));
});
