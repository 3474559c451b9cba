// The extension host started in Simplified Chinese (code-server with --locale zh-cn and a language pack
// entry): a command title in the palette, the Sockets view's labels, the send panel's labels, error
// sentences and the walkthrough come out in Chinese, from package.nls.zh-cn.json and l10n/bundle.l10n.zh-cn.json.
import * as assert from 'assert';
import * as net from 'net';
import type { FrameLocator, Locator } from 'playwright-core';
import { Workbench, waitUntil } from '../helpers/workbench';

describe('the Chinese UI in the real workbench (locale zh-cn)', function () {
  this.timeout(240000);
  let wb: Workbench;
  let listener: Locator;
  let port = 0;

  before(async () => {
    wb = await Workbench.start({ locale: 'zh-cn' });
    await wb.openSocketsView();
  });

  after(async () => {
    await wb?.stop();
  });

  it('the palette offers the commands under their Chinese titles', async () => {
    const titles = await wb.paletteEntries('Socket Lab: 启动');
    assert.ok(titles.includes('Socket Lab: 启动 TCP 监听'), titles.join(' | '));
    assert.ok(titles.includes('Socket Lab: 启动 UDP 监听'), titles.join(' | '));
  });

  it('the Sockets view welcome and a listener started from the palette read in Chinese', async () => {
    await wb.page.locator('.sidebar .pane-body', { hasText: '没有打开的套接字。' }).waitFor({ timeout: 20000 });
    await wb.runCommand('Socket Lab: 启动 TCP 监听');
    await wb.answer('127.0.0.1');
    await wb.answer('0');
    await wb.answerFraming();
    listener = wb.treeItem(/TCP 127\.0\.0\.1:\d+/);
    await listener.waitFor({ state: 'visible', timeout: 30000 });
    port = Number(/127\.0\.0\.1:(\d+)/.exec(await listener.innerText())![1]);
    // The row's description: the client count, in Chinese (the listening state is said by the icon).
    await wb.treeItem(/TCP 127\.0\.0\.1:\d+\s*客户端：0/).waitFor({ state: 'visible', timeout: 20000 });
  });

  it('a refused port is explained in Chinese, naming the field', async () => {
    await wb.runCommand('Socket Lab: 启动 TCP 监听');
    await wb.answer('127.0.0.1');
    const input = wb.page.locator('.quick-input-widget input');
    await input.fill('70000');
    await waitUntil('the validation message', async () =>
      /^端口必须是 0 到 65535 之间的整数（收到 "70000"）。$/.test(await wb.quickInputMessage().catch(() => '')),
    );
    await wb.screenshot('zh-cn-refused-port');
    await wb.page.keyboard.press('Escape');
  });

  it('a start that fails says why in Chinese (the port is taken)', async () => {
    await wb.runCommand('Socket Lab: 启动 TCP 监听');
    await wb.answer('127.0.0.1');
    await wb.answer(String(port));
    await wb.answerFraming();
    await wb.page
      .locator('.notifications-toasts', { hasText: `127.0.0.1:${port} 已被` })
      .waitFor({ state: 'visible', timeout: 30000 });
    await wb.screenshot('zh-cn-port-in-use');
  });

  it('the send panel reads in Chinese, and a received row is shown (screenshot zh-cn-panel)', async () => {
    await listener.hover();
    await listener.locator('.action-label[aria-label^="打开发送面板"]').click();
    const panel: FrameLocator = wb.webview();
    await panel.locator('#payload').waitFor({ state: 'visible', timeout: 30000 });
    await panel.getByRole('button', { name: /^发送/ }).first().waitFor({ state: 'visible', timeout: 20000 });
    await panel.getByText('自动应答', { exact: true }).first().waitFor({ state: 'visible', timeout: 20000 });
    // The sections are named in Chinese too (screen readers say these names).
    await panel.locator('section#composer[aria-label="编辑并发送"]').waitFor({ state: 'attached', timeout: 20000 });
    await panel.locator('section#traffic[aria-label="收发记录"]').waitFor({ state: 'attached', timeout: 20000 });
    await panel.getByText('暂无收发数据。').first().waitFor({ state: 'visible', timeout: 20000 });
    const peer = net.connect({ host: '127.0.0.1', port });
    try {
      await new Promise<void>((resolve, reject) => peer.once('connect', resolve).once('error', reject));
      peer.write('你好，套接字\n');
      await panel.getByText('你好，套接字').first().waitFor({ state: 'visible', timeout: 30000 });
      await wb.screenshot('zh-cn-panel');
    } finally {
      peer.destroy();
    }
  });

  it('the walkthrough reads in Chinese (screenshot zh-cn-walkthrough)', async () => {
    // One webview on the page: the step's page, not the send panel.
    await wb.runCommand('View: Close All Editors');
    await wb.page
      .locator('iframe.webview')
      .first()
      .waitFor({ state: 'detached', timeout: 20000 })
      .catch(() => undefined);
    await wb.runCommand('Welcome: Open Walkthrough...');
    await wb.pick('Socket Lab：套接字课程');
    await wb.page
      .locator('.gettingStartedContainer', { hasText: '在 127.0.0.1:8880 启动 TCP 监听' })
      .waitFor({ state: 'visible', timeout: 30000 });
    await wb.page.getByRole('button', { name: '启动监听' }).first().waitFor({ state: 'visible', timeout: 20000 });
    await wb.page
      .locator('.gettingStartedContainer', { hasText: '试试 UDP：没有连接，只有数据报' })
      .waitFor({ state: 'visible', timeout: 20000 });
    // The step's page (media/walkthrough/listen.zh-cn.md, chosen by package.nls.zh-cn.json) in its webview.
    await wb.page
      .frameLocator('iframe.webview.ready')
      .frameLocator('#active-frame')
      .getByText('一键启动服务端')
      .waitFor({ state: 'visible', timeout: 30000 });
    await wb.screenshot('zh-cn-walkthrough');
  });
});
