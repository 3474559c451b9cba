import * as assert from 'assert';
import * as dgram from 'dgram';
import { getEventListeners } from 'events';
import * as iconv from 'iconv-lite';
import * as net from 'net';
import * as path from 'path';
import '../helpers/noLeaks';
import { BlockConnection } from '../../src/core/requestFile/connection';
import { Inbox } from '../../src/core/requestFile/inbox';
import { Transcript, transcriptLines, type TranscriptEntry } from '../../src/core/requestFile/transcript';
import { SocketLabError } from '../../src/shared/errors';
import { rejectsWith } from '../helpers/errors';
import { requirePeer } from '../helpers/require';
import { rawServer } from '../helpers/sockets';
import { tempDir } from '../helpers/tempDir';
import { waitFor } from '../helpers/wait';
import { stalledUpstream } from '../helpers/stalledUpstream';

const bytes = (text: string) => new Uint8Array(Buffer.from(text));
const text = (data: Uint8Array | undefined) => (data ? Buffer.from(data).toString('utf8') : undefined);

describe('request file transcript', function () {
  it('keeps an entry that fills it exactly (64 bytes of overhead each) and counts every byte it leaves out', function () {
    const transcript = new Transcript(2 * 64 + 10);
    transcript.tap('out', bytes('12345'));
    transcript.tap('in', bytes('67890'));
    transcript.tap('in', bytes('abc'));
    transcript.tap('out', bytes('de'));
    assert.deepStrictEqual(
      transcript.entries.map((e) => `${e.direction} ${text(e.data)}`),
      ['out 12345', 'in 67890'],
    );
    assert.strictEqual(transcript.droppedBytes, 5);
  });

  it('copies a slice of a shared buffer (so the entry does not pin it) and keeps a read of its own as it is', function () {
    const transcript = new Transcript();
    const pool = Buffer.from('before|slice|after');
    const slice = pool.subarray(7, 12);
    const own = new Uint8Array(Buffer.from('own bytes'));
    transcript.tap('in', slice);
    transcript.tap('in', own);
    pool.write('XXXXXXXXXXXXXXXXXX');
    const [copied, kept] = transcript.entries;
    assert.strictEqual(text(copied.data), 'slice');
    assert.strictEqual(copied.data.buffer.byteLength, 5);
    assert.strictEqual(copied.data.constructor, Uint8Array);
    assert.strictEqual(kept.data.buffer, own.buffer);
    assert.strictEqual(kept.data.constructor, Uint8Array);
  });

  it('writes > for sent and < for received, decoded, escaped and cut, then says what was left out', function () {
    const entry = (direction: 'in' | 'out', data: Uint8Array): TranscriptEntry => ({ direction, time: 1, data });
    const block = {
      transcript: [
        entry('out', bytes('GET\r\n')),
        entry('in', new Uint8Array(iconv.encode('你好\0', 'gbk'))),
        entry('in', bytes('0123456789')),
      ],
      droppedTranscriptBytes: 300,
      droppedDatagrams: 7,
    };
    assert.deepStrictEqual(transcriptLines(block, 7, 'gbk'), [
      '> GET\\r\\n',
      '< 你好\\0',
      '< 0123456…',
      '… 300 more bytes not kept',
      '… 7 datagrams dropped unread',
    ]);
    assert.deepStrictEqual(transcriptLines({ transcript: [entry('in', bytes('ok'))] }), ['< ok']);
    assert.deepStrictEqual(transcriptLines({ transcript: [], droppedTranscriptBytes: 0, droppedDatagrams: 0 }), []);
  });
});

describe('request file inbox', function () {
  it('holds a byte stream across appends and takes, sliding and growing its space without losing a byte', function () {
    const inbox = new Inbox('stream');
    // 3000 bytes make a space of 6000; 2000 more fit in it.
    inbox.pushBytes(Buffer.alloc(3000, 'a'));
    inbox.pushBytes(Buffer.from('a'.repeat(1996) + 'tail'));
    assert.strictEqual(text(inbox.takeBytes(4996)), 'a'.repeat(4996));
    assert.strictEqual(inbox.held, 4);
    // Past the end of the space, but room at its front once the taken bytes go: what is held slides there.
    inbox.pushBytes(Buffer.alloc(1500, 'b'));
    assert.strictEqual(inbox.held, 1504);
    assert.strictEqual(inbox.view().toString(), 'tail' + 'b'.repeat(1500));
    inbox.skip(1500);
    // Much more than the space holds, after a take: the space grows and keeps the unread bytes first.
    inbox.pushBytes(Buffer.alloc(9000, 'c'));
    assert.strictEqual(inbox.held, 9004);
    assert.strictEqual(inbox.view().toString(), 'bbbb' + 'c'.repeat(9000));
    assert.strictEqual(text(inbox.takeBytes(9004)), 'bbbb' + 'c'.repeat(9000));
    assert.strictEqual(inbox.held, 0);
    // Emptied (and a large space released): the next bytes start afresh.
    inbox.pushBytes(Buffer.alloc(70 * 1024, 'd'));
    inbox.skip(70 * 1024);
    inbox.pushBytes(bytes('again'));
    assert.deepStrictEqual([inbox.held, inbox.view().toString(), inbox.arrivals], [5, 'again', 6]);
  });

  it('asks the stream to stop reading once it holds its limit, and to read again once it has room', function () {
    const calls: boolean[] = [];
    const inbox = new Inbox('stream', (full) => calls.push(full), 10);
    inbox.pushBytes(bytes('123456789'));
    assert.deepStrictEqual([calls, inbox.full], [[], false]);
    inbox.pushBytes(bytes('0'));
    assert.deepStrictEqual([calls, inbox.full], [[true], true]);
    inbox.pushBytes(bytes('ab'));
    inbox.takeBytes(2);
    assert.deepStrictEqual([calls, inbox.full, inbox.held], [[true], true, 10]);
    inbox.skip(1);
    assert.deepStrictEqual([calls, inbox.full, inbox.held], [[true, false], false, 9]);
    inbox.skip(1);
    assert.deepStrictEqual(calls, [true, false]);
    inbox.pushBytes(bytes('xy'));
    assert.deepStrictEqual(calls, [true, false, true]);
    assert.strictEqual(text(inbox.takeBytes(10)), '56789' + '0abxy'.slice(0, 5));
    assert.deepStrictEqual([calls, inbox.held], [[true, false, true, false], 0]);
  });

  it('keeps messages apart, drops a datagram arriving on a full inbox (a frame never), and frees room as they are taken', function () {
    const calls: boolean[] = [];
    const inbox = new Inbox('messages', (full) => calls.push(full), 8);
    assert.strictEqual(inbox.takeMessage(), undefined);
    inbox.pushMessage(bytes('four'), true);
    inbox.pushMessage(bytes('more'), true);
    assert.deepStrictEqual([inbox.held, inbox.full, calls], [8, true, [true]]);
    inbox.pushMessage(bytes('lost'), true);
    inbox.pushMessage(bytes('frame'), false);
    assert.deepStrictEqual([inbox.dropped, inbox.held, inbox.arrivals], [1, 13, 3]);
    assert.strictEqual(text(inbox.peekMessage()), 'four');
    assert.strictEqual(text(inbox.takeMessage()), 'four');
    assert.deepStrictEqual([inbox.held, calls], [9, [true]]);
    assert.strictEqual(text(inbox.takeMessage()), 'more');
    assert.deepStrictEqual([inbox.held, inbox.full, calls], [5, false, [true, false]]);
    inbox.pushMessage(bytes('kept'), true);
    assert.deepStrictEqual(
      [text(inbox.takeMessage()), text(inbox.takeMessage()), inbox.takeMessage(), inbox.held],
      ['frame', 'kept', undefined, 0],
    );
  });

  it('wakes its listener on arrivals and on the first end only; dispose stops the timer and forgets the listener', function () {
    const inbox = new Inbox('stream');
    let woken = 0;
    inbox.onChange(() => woken++);
    inbox.pushBytes(bytes('x'));
    const error = SocketLabError.create('connectionClosed', 'The connection is closed; nothing was sent.');
    inbox.ended({ kind: 'error', error });
    inbox.ended({ kind: 'closed' });
    assert.deepStrictEqual([woken, inbox.end], [3, { kind: 'error', error }]);
    let fired = false;
    inbox.arm(60_000, () => (fired = true));
    inbox.dispose();
    inbox.interrupt();
    assert.deepStrictEqual([woken, fired, inbox.interrupted], [3, false, true]);
  });

  it('lets a disarmed timeout expire unheard, and calls the one armed last', async function () {
    const disarmed = new Inbox('stream');
    const heard: string[] = [];
    disarmed.arm(1, () => heard.push('disarmed'));
    disarmed.disarm();
    const armed = new Inbox('stream');
    await new Promise<void>((resolve) => {
      armed.arm(1, () => heard.push('first'));
      // Armed again with the same time: the one timer restarts and calls the later callback.
      armed.arm(30, () => heard.push('replaced'));
      armed.arm(30, () => resolve());
    });
    assert.deepStrictEqual(heard, []);
    disarmed.dispose();
    armed.dispose();
  });
});

describe('request file block connection', function () {
  this.timeout(20000);
  const noTap = () => undefined;

  it('refuses to open on a cancelled run, and names a missing Unix socket by its path', async function () {
    const controller = new AbortController();
    controller.abort();
    await rejectsWith(
      BlockConnection.open({ transport: 'tcp', host: '127.0.0.1', port: 9, timeoutMs: 1000 }, noTap, controller.signal),
      'cancelled',
      /^The run was cancelled\.$/,
    );
    const { dir, remove } = tempDir();
    try {
      const missing = path.join(dir, 'missing.sock');
      await rejectsWith(
        BlockConnection.open(
          { transport: 'unix', path: missing, timeoutMs: 1000 },
          noTap,
          new AbortController().signal,
        ),
        'noSuchSocket',
        new RegExp(`^There is no socket at ${missing.replace(/[.]/g, '\\.')}; start the listener first`),
      );
    } finally {
      remove();
    }
  });

  it('keeps its side open after the peer ends (TCP and Unix), leaves no abort listener behind, refuses to send once closed', async function () {
    const { dir, remove } = tempDir();
    const unixServer = net.createServer((s) => {
      s.on('error', () => undefined);
      s.end('bye');
      s.on('data', (d) => unixReceived.push(d));
    });
    const unixReceived: Buffer[] = [];
    const unixPath = path.join(dir, 'half.sock');
    await new Promise<void>((r) => unixServer.listen(unixPath, r));
    const tcp = await rawServer('127.0.0.1', (s) => s.end('bye'));
    const signal = new AbortController().signal;
    try {
      const targets = [
        { transport: 'tcp' as const, host: '127.0.0.1', port: tcp.port, timeoutMs: 2000 },
        { transport: 'unix' as const, path: unixPath, timeoutMs: 2000 },
      ];
      for (const target of targets) {
        const taps: string[] = [];
        const connection = await BlockConnection.open(target, (d, data) => taps.push(`${d} ${text(data)}`), signal);
        assert.strictEqual(getEventListeners(signal, 'abort').length, 0, target.transport);
        await waitFor('the peer to end', () => connection.inbox.end);
        assert.deepStrictEqual(connection.inbox.end, { kind: 'closed' });
        assert.strictEqual(connection.send(bytes('after'), signal), undefined);
        connection.end();
        const received = target.transport === 'tcp' ? tcp.received : () => Buffer.concat(unixReceived);
        await waitFor('the bytes sent after the peer ended', () => received().toString() === 'after');
        assert.deepStrictEqual(taps, ['in bye', 'out after']);
        connection.close();
        connection.close();
        assert.throws(
          () => connection.send(bytes('late'), signal),
          (err: unknown) =>
            err instanceof SocketLabError &&
            err.code === 'connectionClosed' &&
            err.message === 'The connection is closed; nothing was sent.',
        );
      }
    } finally {
      await tcp.close();
      await new Promise((r) => unixServer.close(r));
      remove();
    }
  });

  it('after a reset, a send throws the reset the connection ended with', async function () {
    const server = await rawServer('127.0.0.1', (s) => s.once('data', () => s.resetAndDestroy()));
    const signal = new AbortController().signal;
    try {
      const connection = await BlockConnection.open(
        { transport: 'tcp', host: '127.0.0.1', port: server.port, timeoutMs: 2000 },
        noTap,
        signal,
      );
      assert.strictEqual(connection.send(bytes('reset me'), signal), undefined);
      const end = await waitFor('the reset', () => connection.inbox.end);
      assert.strictEqual(end.kind, 'error');
      assert.throws(
        () => connection.send(bytes('x'), signal),
        (err: unknown) =>
          err instanceof SocketLabError &&
          err.code === 'connectionReset' &&
          err.message === `The connection to 127.0.0.1:${server.port} was reset by the peer (ECONNRESET).`,
      );
      connection.close();
    } finally {
      await server.close();
    }
  });

  it('waits for the socket to take a large write, gives up when cancelled, and fails when closed meanwhile', async function () {
    const server = await rawServer('127.0.0.1', (s) => s.pause());
    const big = new Uint8Array(32 * 1024 * 1024);
    try {
      const open = () =>
        BlockConnection.open(
          { transport: 'tcp', host: '127.0.0.1', port: server.port, timeoutMs: 2000 },
          noTap,
          new AbortController().signal,
        );
      const drained = await open();
      const controller = new AbortController();
      const pending = drained.send(big, controller.signal);
      assert.ok(pending instanceof Promise, 'a write the socket cannot take at once returns a promise');
      assert.strictEqual(getEventListeners(controller.signal, 'abort').length, 1);
      await waitFor('the server to accept', () => server.sockets[0]);
      server.sockets[0].resume();
      await pending;
      assert.strictEqual(getEventListeners(controller.signal, 'abort').length, 0);
      drained.close();

      const cancelled = await open();
      const cancel = new AbortController();
      const waiting = cancelled.send(big, cancel.signal);
      cancel.abort();
      await rejectsWith(waiting as Promise<void>, 'cancelled', /^The run was cancelled\.$/);
      cancelled.close();

      const closed = await open();
      const stranded = closed.send(big, new AbortController().signal);
      closed.close();
      await rejectsWith(
        stranded as Promise<void>,
        'connectionClosed',
        /^The connection is closed; nothing was sent\.$/,
      );
    } finally {
      await server.close();
    }
  });

  it('UDP: a datagram is bounded by the address family (IPv6 allows more), end() is harmless', async function () {
    const peer = dgram.createSocket('udp6');
    const got: number[] = [];
    peer.on('message', (m) => got.push(m.length));
    await new Promise<void>((r) => peer.bind(0, '::1', r));
    const signal = new AbortController().signal;
    let connection: BlockConnection | undefined;
    try {
      connection = await BlockConnection.open(
        { transport: 'udp', host: '::1', port: peer.address().port, timeoutMs: 2000 },
        noTap,
        signal,
      );
      await connection.send(new Uint8Array(65527), signal);
      await waitFor('the largest IPv6 datagram', () => got.length === 1);
      assert.deepStrictEqual(got, [65527]);
      assert.throws(
        () => connection!.send(new Uint8Array(65528), signal),
        (err: unknown) =>
          err instanceof SocketLabError &&
          err.code === 'datagramTooLarge' &&
          err.message === 'A UDP datagram holds at most 65527 bytes here (got 65528).',
      );
      connection.end();
      connection.close();
      connection.close();
    } finally {
      connection?.close();
      peer.close();
    }
  });

  it('times out connecting to a peer that never accepts, and is cancelled while connecting', async function () {
    requirePeer(this, 'python3');
    const upstream = await stalledUpstream(15);
    try {
      const port = upstream.port;
      const target = { transport: 'tcp' as const, host: '127.0.0.1', port, timeoutMs: 150 };
      await rejectsWith(
        BlockConnection.open(target, noTap, new AbortController().signal),
        'timedOut',
        new RegExp(
          `^Connecting to 127\\.0\\.0\\.1:${port} timed out after 150 ms; check the address, the port and any firewall\\.$`,
        ),
      );
      const controller = new AbortController();
      const opening = BlockConnection.open({ ...target, timeoutMs: 60_000 }, noTap, controller.signal);
      setImmediate(() => controller.abort());
      await rejectsWith(opening, 'cancelled', /^The run was cancelled\.$/);
      assert.strictEqual(getEventListeners(controller.signal, 'abort').length, 0);
    } finally {
      await upstream.close();
    }
  });
});
