// The error of a failed endpoint as the host shows it, in the real extension host: list() carries the English
// sentence with its template and values, and the Sockets tree and the send panel build the sentence from
// those through vscode.l10n.t, the core's value words ('Certificate file (cert)') included.
// A pseudo-translation stands in for a translation bundle: it wraps what vscode.l10n.t returns in «».
import * as assert from 'assert';
import * as net from 'net';
import * as vscode from 'vscode';
import * as fs from 'fs';
import { fillTemplate } from '../../src/shared/errors';
import type { EndpointInfo } from '../../src/shared/model';
import { makeLeaf, writeFile } from '../helpers/certs';
import { rejection } from '../helpers/errors';
import { resolvedItem, run, socketLab, type TestApi } from '../helpers/extensionHost';
import { tempDir } from '../helpers/tempDir';
import { waitFor } from '../helpers/wait';

interface PanelLike {
  endpointId: string;
  panel: vscode.WebviewPanel;
  _endpointView(info: EndpointInfo | undefined): { error?: string } | null;
}

type L10n = { t: (...args: unknown[]) => string };

/** Runs `fn` while every vscode.l10n.t of this extension host returns its usual result in «»; false when l10n.t cannot be replaced. */
async function withPseudoTranslation(fn: () => Promise<void> | void): Promise<boolean> {
  const l10n = vscode.l10n as unknown as L10n;
  const original = l10n.t;
  const pseudo = (...args: unknown[]) => `«${original.apply(l10n, args)}»`;
  try {
    l10n.t = pseudo;
  } catch {
    return false;
  }
  if (l10n.t !== pseudo) return false;
  try {
    await fn();
  } finally {
    l10n.t = original;
  }
  return true;
}

/** The tooltip's text with Markdown escapes removed. */
function tooltipText(item: vscode.TreeItem): string {
  return (item.tooltip as vscode.MarkdownString).value.replace(/\\(.)/g, '$1');
}

describe('error sentences of failed endpoints through the host (real extension host)', function () {
  this.timeout(30000);
  let api: TestApi;
  const servers: net.Server[] = [];
  const panels: PanelLike[] = [];

  before(async () => {
    api = await socketLab();
    await run('stopAll', {});
  });

  after(async () => {
    for (const p of panels) p.panel.dispose();
    for (const s of servers) s.close();
    await run('stopAll', {});
  });

  /** A client whose peer resets it, with its panel open: the endpoint is in state 'error'. */
  async function failedClient(): Promise<{ info: EndpointInfo; panel: PanelLike; port: number }> {
    const accepted: net.Socket[] = [];
    const server = net.createServer((s) => {
      s.on('error', () => undefined);
      accepted.push(s);
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const client = await run<EndpointInfo>('connectTcp', { port });
    await waitFor('accepted', () => accepted.length === 1);
    await run('openPanel', { id: client.id });
    const manager = api._test.panels as { panels: readonly PanelLike[] };
    const panel = await waitFor('the panel', () => manager.panels.find((p) => p.endpointId === client.id));
    panels.push(panel);
    accepted[0].resetAndDestroy();
    const info = await waitFor('client in error', () =>
      api.list().find((e) => e.id === client.id && e.state === 'error'),
    );
    return { info, panel, port };
  }

  it('a reset client: list() gives the sentence, its template and values; the tree item and the panel banner translate the template', async () => {
    const { info, panel, port } = await failedClient();
    assert.strictEqual(info.error, `The connection to 127.0.0.1:${port} was reset by the peer (ECONNRESET).`);
    assert.strictEqual(info.errorCode, 'connectionReset');
    assert.strictEqual(info.errorTemplate, 'The connection to {target} was reset by the peer (ECONNRESET).');
    assert.strictEqual(info.errorValues?.target, `127.0.0.1:${port}`);
    assert.strictEqual(fillTemplate(info.errorTemplate!, info.errorValues!), info.error);
    assert.deepStrictEqual(JSON.parse(JSON.stringify(info)), info, 'list() stays plain data');

    const tree = api._test.tree;
    const node = tree.nodeFor(info.id)!;
    assert.ok(
      tooltipText(resolvedItem(tree, node)).endsWith(info.error!),
      'the English tooltip ends with the sentence',
    );
    assert.strictEqual(
      panel._endpointView(api._test.lab.get(info.id))?.error,
      info.error,
      'the English banner is the sentence',
    );

    const replaced = await withPseudoTranslation(() => {
      const item = resolvedItem(tree, node);
      assert.ok(tooltipText(item).endsWith(`$(error) «${info.error}»`), tooltipText(item));
      assert.strictEqual(panel._endpointView(api._test.lab.get(info.id))?.error, `«${info.error}»`);
    });
    assert.ok(replaced, 'vscode.l10n.t could not be replaced in this host');
  });

  it("an endpoint's error that names a field by its label word (a TLS listener restarted after its certificate file was removed): the host translates the word inside the sentence too", async () => {
    const { dir, remove } = tempDir();
    try {
      const leaf = await makeLeaf(['127.0.0.1']);
      const cert = writeFile(dir, 'server.crt', leaf.cert);
      const key = writeFile(dir, 'server.key', leaf.key);
      const listener = await run<EndpointInfo>('startTlsListener', { port: 0, cert, key });
      await run('openPanel', { id: listener.id });
      const manager = api._test.panels as { panels: readonly PanelLike[] };
      const panel = await waitFor('the panel', () => manager.panels.find((p) => p.endpointId === listener.id));
      panels.push(panel);
      fs.rmSync(cert);
      const sentence = `Certificate file (cert) ${cert} does not exist; check the path.`;
      assert.strictEqual(await rejection(run('restart', { id: listener.id })), sentence);
      const now = await waitFor('the listener in error', () =>
        api.list().find((e) => e.id === listener.id && e.state === 'error'),
      );
      assert.strictEqual(now.error, sentence);
      assert.deepStrictEqual(
        { template: now.errorTemplate, label: now.errorValues?.label, path: now.errorValues?.path },
        { template: '{label} {path} does not exist; check the path.', label: 'Certificate file (cert)', path: cert },
      );

      const tree = api._test.tree;
      const node = tree.nodeFor(listener.id)!;
      const replaced = await withPseudoTranslation(() => {
        const expected = `««Certificate file (cert)» ${cert} does not exist; check the path.»`;
        assert.ok(
          tooltipText(resolvedItem(tree, node)).endsWith(`$(error) ${expected}`),
          tooltipText(resolvedItem(tree, node)),
        );
        assert.strictEqual(panel._endpointView(api._test.lab.get(listener.id))?.error, expected);
      });
      assert.ok(replaced, 'vscode.l10n.t could not be replaced in this host');
    } finally {
      remove();
    }
  });
});
