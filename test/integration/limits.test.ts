// Issue 12 in the real extension host: settings checked and clamped with one warning naming each, the
// maxConnections setting and its refused connections in the Sockets view, a switched-off auto-reply rule
// in the view's tooltip.
import * as assert from 'assert';
import * as dgram from 'dgram';
import * as net from 'net';
import * as vscode from 'vscode';
import type { EndpointInfo } from '../../src/shared/model';
import { readSettings } from '../../src/host/settings';
import { resolvedItem, run, socketLab, type TestApi } from '../helpers/extensionHost';
import { portOf } from '../helpers/sockets';
import { waitFor } from '../helpers/wait';

const SETTINGS = ['logCapBytes', 'connectTimeoutMs', 'defaultFormat', 'defaultEncoding', 'maxConnections'];

function tooltipText(api: TestApi, id: string): string {
  const { tree } = api._test;
  const item = resolvedItem(
    tree,
    tree.getChildren().find((n) => n.id === id)!,
  );
  return (item.tooltip as vscode.MarkdownString).value.replace(/\\(.)/g, '$1');
}

describe('limits and settings in the real host (issue 12)', function () {
  this.timeout(60000);
  let api: TestApi;
  const sockets: { destroy(): void }[] = [];
  before(async () => (api = await socketLab()));
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    const config = vscode.workspace.getConfiguration('socketLab');
    for (const name of SETTINGS) await config.update(name, undefined, vscode.ConfigurationTarget.Global);
    await run('stopAll', {});
  });

  it('unusable settings are clamped or set back to the default with one warning each; the core gets the checked values', async () => {
    const config = vscode.workspace.getConfiguration('socketLab');
    await config.update('logCapBytes', -1, vscode.ConfigurationTarget.Global);
    await config.update('connectTimeoutMs', 0, vscode.ConfigurationTarget.Global);
    await config.update('defaultFormat', 'bogus', vscode.ConfigurationTarget.Global);
    await config.update('defaultEncoding', 42, vscode.ConfigurationTarget.Global);
    await config.update('maxConnections', 'many', vscode.ConfigurationTarget.Global);
    const warnings: string[] = [];
    const s = readSettings((m) => warnings.push(m));
    assert.strictEqual(s.logCapBytes, 65536, 'clamped to the minimum');
    assert.strictEqual(s.connectTimeoutMs, 1, 'clamped to the minimum');
    assert.strictEqual(s.defaultFormat, 'text');
    assert.strictEqual(s.defaultEncoding, 'utf8');
    assert.strictEqual(s.maxConnections, 1000);
    assert.strictEqual(warnings.length, 5, warnings.join('\n'));
    assert.ok(
      warnings.includes('The setting socketLab.logCapBytes has an unusable value (-1); Socket Lab uses 65536 instead.'),
      warnings.join('\n'),
    );
    assert.ok(
      warnings.includes(
        'The setting socketLab.defaultFormat has an unusable value ("bogus"); Socket Lab uses "text" instead.',
      ),
    );
    for (const name of ['logCapBytes', 'connectTimeoutMs', 'defaultFormat', 'defaultEncoding', 'maxConnections']) {
      assert.strictEqual(warnings.filter((w) => w.includes(`socketLab.${name} `)).length, 1, `one warning for ${name}`);
    }
    // The extension read them too (on the change) and kept working: a listener opens with the default limit.
    const l = await run<EndpointInfo>('startTcpListener', { port: 0 });
    assert.strictEqual(l.maxConnections, 1000);
    await config.update('maxConnections', 9999999, vscode.ConfigurationTarget.Global);
    const clamped = await waitFor('the clamped setting in force', async () => {
      const info = await run<EndpointInfo>('startTcpListener', { port: 0 });
      return info.maxConnections === 100000 ? info : undefined;
    });
    assert.strictEqual(clamped.maxConnections, 100000);
  });

  it('maxConnections from the setting: extra connections are refused, counted and shown in the Sockets view', async () => {
    await vscode.workspace.getConfiguration('socketLab').update('maxConnections', 2, vscode.ConfigurationTarget.Global);
    const l = await waitFor('the setting in force', async () => {
      const info = await run<EndpointInfo>('startTcpListener', { port: 0 });
      return info.maxConnections === 2 ? info : undefined;
    });
    const closed: boolean[] = [];
    for (let i = 0; i < 4; i++) {
      const s = net.connect(portOf(l), '127.0.0.1');
      const index = closed.push(false) - 1;
      s.on('error', () => undefined);
      s.on('close', () => (closed[index] = true));
      sockets.push(s);
    }
    const info = await waitFor('two refused', () =>
      api.list().find((e) => e.id === l.id && e.refusedConnections === 2),
    );
    assert.strictEqual(info.connections.length, 2);
    await waitFor('the two extra sockets closed by the listener', () => closed.filter(Boolean).length === 2);
    await waitFor('the tooltip says so', () =>
      tooltipText(api, l.id).includes('At most 2 connections at once; 2 refused at that limit'),
    );
  });

  it('a regex rule switched off by its CPU budget is named in the Sockets view tooltip; the other rules keep answering', async () => {
    const u = await run<EndpointInfo>('startUdpListener', {
      port: 0,
      autoReply: {
        mode: 'rules',
        rules: [
          { contains: 'ping', reply: { data: 'pong' } },
          { regex: '((.*)a){6}', reply: { data: '$1' } },
        ],
      },
    });
    const sender = dgram.createSocket('udp4');
    sockets.push({ destroy: () => sender.close() });
    const heavy = Buffer.alloc(60000, 0x61);
    const deadline = Date.now() + 30000;
    while (!api.list().find((e) => e.id === u.id)?.autoReplyRulesOff && Date.now() < deadline) {
      await new Promise<void>((r) => sender.send(heavy, portOf(u), '127.0.0.1', () => r()));
      await new Promise((r) => setImmediate(r));
    }
    const info = api.list().find((e) => e.id === u.id)!;
    assert.strictEqual(info.autoReplyRulesOff?.[0].rule, 1);
    assert.match(tooltipText(api, u.id), /Auto-reply rule 2 is switched off: autoReply\.rules\[1\]\.regex /);
  });
});
