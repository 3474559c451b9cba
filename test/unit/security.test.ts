// Security: received bytes stay inert text when displayed, whatever a peer sends, and nothing is opened or
// reachable from outside loopback unless asked.
import * as assert from 'assert';
import * as net from 'net';
import { decodeText } from '../../src/core/codec';
import { escapeForDisplay, hexDump } from '../../src/shared/display';
import { SocketLab } from '../../src/core/socketLab';
import { figure } from '../helpers/figures';
import { withLab } from '../helpers/lab';
import { activeResources, descriptorsByKind } from '../helpers/processHandles';
import { portOf, rawConnect } from '../helpers/sockets';
import { sleep, waitFor } from '../helpers/wait';
import '../helpers/noLeaks';

describe('hostile payloads are inert when displayed', () => {
  const hostile: Record<string, Uint8Array> = {
    html: Buffer.from('<img src=x onerror=alert(1)><b>bold</b>'),
    script: Buffer.from('<script>window.top.location="https://example.invalid"</script>'),
    ansi: Buffer.from('\x1b[2J\x1b[31mred\x1b]0;title\x07\x1b[0m'),
    nul: Buffer.from('a\0b\0\0c'),
    invalidUtf8: Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x90, 0x28, 0xbc, 0xff, 0xfe]),
    bidi: Buffer.from('abc\u202edcba\u2066x\u2069'),
    lineSeparators: Buffer.from('a\u2028b\u2029c\r\n'),
  };
  const CONTROL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

  for (const [name, bytes] of Object.entries(hostile)) {
    it(`${name}: escapeForDisplay and hexDump lines hold no raw control, format or separator character`, () => {
      const text = escapeForDisplay(decodeText(bytes, 'utf8'));
      assert.ok(!CONTROL.test(text), `raw control in ${JSON.stringify(text)}`);
      for (const line of hexDump(bytes).split('\n'))
        assert.ok(!CONTROL.test(line), `raw control in hex dump line ${JSON.stringify(line)}`);
      // Markup survives as the characters it is made of: rendering them as text (never HTML) is the panel's job.
      if (name === 'html' || name === 'script') assert.strictEqual(text, bytes.toString());
    });
  }

  it('a 1 MB single line: escaping and a bounded preview stay fast and bounded', () => {
    const line = Buffer.from('<script>\x1b[31m'.repeat(81_000)).subarray(0, 1 << 20);
    assert.strictEqual(line.length, 1 << 20);
    const t0 = process.hrtime.bigint();
    const full = escapeForDisplay(decodeText(line, 'utf8'));
    const preview = escapeForDisplay(decodeText(line, 'utf8'), 200);
    const dump = hexDump(line, { maxBytes: 4096 });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    figure(
      '1 MB single line',
      `escaped in ${ms.toFixed(0)} ms (full ${full.length} chars, preview ${preview.length} chars, dump ${dump.split('\n').length} lines)`,
    );
    assert.ok(!CONTROL.test(full));
    assert.ok(preview.length <= 201);
  });

  it('a hostile payload through a real socket is logged byte-exact (no interpretation on the receive path)', () =>
    withLab(async (lab) => {
      const l = await lab.startTcpListener({ port: 0 });
      const c = await rawConnect({ host: '127.0.0.1', port: portOf(l) });
      const all = Buffer.concat(Object.values(hostile));
      c.socket.write(all);
      await waitFor('all bytes in', () => lab.get(l.id)!.bytesIn === all.length);
      assert.ok(Buffer.concat(lab.traffic(l.id).map((r) => r.data)).equals(all));
      c.socket.destroy();
    }));
});

describe('nothing is sent or listened to unless asked', () => {
  it('a new SocketLab opens no socket, handle or descriptor, and its default bind is loopback', async function () {
    const fdBefore = descriptorsByKind();
    const resBefore = activeResources();
    const lab = new SocketLab();
    try {
      // An absence cannot be awaited: give anything the constructor started asynchronously a moment to open.
      await sleep(50);
      assert.deepStrictEqual(descriptorsByKind(), fdBefore, 'constructing SocketLab opened a descriptor');
      // Timers are mocha's and this test's own; sockets, servers, pipes and files would be SocketLab's.
      const noTimers = (r: Record<string, number>) =>
        Object.fromEntries(Object.entries(r).filter(([k]) => k !== 'Timeout' && k !== 'Immediate'));
      assert.deepStrictEqual(
        noTimers(activeResources()),
        noTimers(resBefore),
        'constructing SocketLab opened a handle',
      );
      const t = await lab.startTcpListener({ port: 0 });
      const u = await lab.startUdpListener({ port: 0 });
      assert.strictEqual((t.local as { address: string }).address, '127.0.0.1');
      assert.strictEqual((u.local as { address: string }).address, '127.0.0.1');
      // Nothing answers on other addresses of the machine: the port is not reachable from outside loopback.
      const probe = net.connect({ port: portOf(t), host: '127.0.0.2' });
      const outcome = await new Promise<string>((r) => {
        probe.once('connect', () => r('connected'));
        probe.once('error', (e: NodeJS.ErrnoException) => r(e.code ?? 'error'));
      });
      probe.destroy();
      assert.strictEqual(outcome, 'ECONNREFUSED', 'a default listener answered on another address');
    } finally {
      lab.dispose();
    }
  });
});
