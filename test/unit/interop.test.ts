import * as assert from 'assert';
import * as path from 'path';
import '../helpers/noLeaks';
import { withLab } from '../helpers/lab';
import { PEERS_DIR, startPeer, waitForOutput } from '../helpers/peers';
import { requirePeer } from '../helpers/require';
import { freePort, portOf } from '../helpers/sockets';
import { tempDir } from '../helpers/tempDir';
import { sleep, waitFor } from '../helpers/wait';

const SEED_REPLY = '我是返回的数据';

/** Retries connecting while a freshly spawned server is still starting. */
async function connectWhenUp<T>(connect: () => Promise<T>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await connect();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(50);
    }
  }
}

describe('interop with real peers', function () {
  this.timeout(20000);

  it('php-cli runs the seed server; a Socket Lab TCP client sends and waits for its reply', async function () {
    requirePeer(this, 'php');
    const port = await freePort();
    const php = startPeer('php', [path.join(PEERS_DIR, 'seed_server.php'), String(port)]);
    try {
      await waitForOutput(php, /listening/);
      await withLab(async (lab) => {
        const c = await lab.connectTcp({ host: '127.0.0.1', port });
        const r = await lab.send({ target: c.id, data: 'hello from Socket Lab', waitMs: 1000 });
        assert.strictEqual(Buffer.from(r.reply!).toString('utf8'), SEED_REPLY);
        await waitFor('the PHP server closes after replying', () => lab.get(c.id)!.peerEnded === true);
      });
      assert.strictEqual(await php.exited(), 0);
      assert.match(php.stdout().toString(), /received: hello from Socket Lab/);
    } finally {
      await php.kill();
    }
  });

  for (const host of ['127.0.0.1', '::1']) {
    it(`a PHP client talks to a Socket Lab listener on ${host} with the seed's fixed auto-reply`, async function () {
      requirePeer(this, 'php');
      await withLab(async (lab) => {
        const l = await lab.startTcpListener({
          host,
          port: 0,
          backlog: 3,
          autoReply: { mode: 'fixed', data: SEED_REPLY },
        });
        const php = startPeer('php', [path.join(PEERS_DIR, 'seed_client.php'), host, String(portOf(l)), 'hi']);
        try {
          assert.strictEqual(await php.exited(), 0, php.stderr());
          assert.strictEqual(php.stdout().toString('utf8'), SEED_REPLY);
        } finally {
          await php.kill();
        }
        await waitFor('PHP closed', () => lab.get(l.id)!.connections[0]?.state === 'closed');
        const [inRec, outRec] = lab.traffic(l.id);
        assert.strictEqual(Buffer.from(inRec.data).toString(), 'hi');
        assert.strictEqual(Buffer.from(outRec.data).toString(), SEED_REPLY);
      });
    });

    it(`ncat as a client of a Socket Lab listener on ${host}`, async function () {
      requirePeer(this, 'ncat');
      await withLab(async (lab) => {
        const l = await lab.startTcpListener({ host, port: 0, autoReply: { mode: 'echo' } });
        const ncat = startPeer('ncat', [host, String(portOf(l))], 'ping from ncat\n');
        try {
          assert.strictEqual(await ncat.exited(), 0, ncat.stderr());
          assert.strictEqual(ncat.stdout().toString(), 'ping from ncat\n');
        } finally {
          await ncat.kill();
        }
        assert.strictEqual(lab.get(l.id)!.bytesIn, 15);
      });
    });

    it(`ncat as a server (--exec cat) for a Socket Lab client on ${host}`, async function () {
      requirePeer(this, 'ncat');
      const port = await freePort(host);
      const ncat = startPeer('ncat', ['-l', host, String(port), '--exec', '/bin/cat']);
      try {
        await withLab(async (lab) => {
          // ncat starts cat for the connection: the echo may take a while on a loaded machine. A frame of its
          // size ends the wait as soon as it is in.
          const c = await connectWhenUp(() =>
            lab.connectTcp({ host, port, timeoutMs: 1000, framing: { mode: 'fixed', size: 5 } }),
          );
          const r = await lab.send({ target: c.id, data: 'abc\\x00\\xff', waitMs: 10_000 });
          assert.deepStrictEqual([...r.reply!], [0x61, 0x62, 0x63, 0, 0xff]);
        });
      } finally {
        await ncat.kill();
      }
    });
  }

  it('ncat as a UDP client of a Socket Lab UDP listener', async function () {
    requirePeer(this, 'ncat');
    await withLab(async (lab) => {
      const u = await lab.startUdpListener({ port: 0, autoReply: { mode: 'fixed', data: 'pong\n' } });
      const ncat = startPeer('ncat', ['-u', '--idle-timeout', '1', '127.0.0.1', String(portOf(u))]);
      try {
        ncat.child.stdin!.write('ping\n');
        await waitFor('pong from the auto-reply', () => ncat.stdout().toString() === 'pong\n');
        const peers = lab.get(u.id)!.connections;
        assert.strictEqual(peers.length, 1);
        assert.strictEqual(peers[0].messagesIn, 1);
      } finally {
        await ncat.kill();
      }
    });
  });

  it('socat as a Unix-domain echo server and as a TCP client', async function () {
    requirePeer(this, 'socat');
    const t = tempDir();
    const file = path.join(t.dir, 'socat.sock');
    const server = startPeer('socat', [`UNIX-LISTEN:${file}`, 'EXEC:/bin/cat']);
    try {
      await withLab(async (lab) => {
        const c = await connectWhenUp(() =>
          lab.connectUnix({ path: file, timeoutMs: 1000, framing: { mode: 'fixed', size: 9 } }),
        );
        const r = await lab.send({ target: c.id, data: 'unix echo', waitMs: 10_000 });
        assert.strictEqual(Buffer.from(r.reply!).toString(), 'unix echo');
        const l = await lab.startTcpListener({ port: 0, autoReply: { mode: 'fixed', data: 'ok' } });
        const client = startPeer('socat', ['-t', '1', '-', `TCP:127.0.0.1:${portOf(l)}`], 'from socat');
        try {
          assert.strictEqual(await client.exited(), 0, client.stderr());
          assert.strictEqual(client.stdout().toString(), 'ok');
        } finally {
          await client.kill();
        }
      });
    } finally {
      await server.kill();
      t.remove();
    }
  });

  for (const host of ['127.0.0.1', '::1']) {
    it(`python3 as a TCP server, a UDP server and a TCP client on ${host}`, async function () {
      requirePeer(this, 'python3');
      const tcp = startPeer('python3', [path.join(PEERS_DIR, 'echo_server.py'), 'tcp', host]);
      const udp = startPeer('python3', [path.join(PEERS_DIR, 'echo_server.py'), 'udp', host]);
      try {
        const tcpPort = Number((await waitForOutput(tcp, /^(\d+)/m))[1]);
        const udpPort = Number((await waitForOutput(udp, /^(\d+)/m))[1]);
        await withLab(async (lab) => {
          const c = await lab.connectTcp({ host, port: tcpPort, framing: { mode: 'fixed', size: 6 } });
          const r = await lab.send({ target: c.id, data: 'tcp', waitMs: 10_000 });
          assert.strictEqual(Buffer.from(r.reply!).toString(), 'py:tcp');
          const u = await lab.startUdpListener({ host, port: 0 });
          const ur = await lab.send({ target: u.id, data: 'udp', to: { host, port: udpPort }, waitMs: 1500 });
          assert.strictEqual(Buffer.from(ur.reply!).toString(), 'py:udp');
          const l = await lab.startTcpListener({ host, port: 0, autoReply: { mode: 'echo' } });
          const client = startPeer('python3', [
            path.join(PEERS_DIR, 'client.py'),
            host,
            String(portOf(l)),
            'from python',
          ]);
          try {
            assert.strictEqual(await client.exited(), 0, client.stderr());
            assert.strictEqual(client.stdout().toString(), 'from python');
          } finally {
            await client.kill();
          }
        });
      } finally {
        await tcp.kill();
        await udp.kill();
      }
    });
  }
});
