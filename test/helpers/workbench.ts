// Drives the real code-server workbench in Chromium: start a fresh server with Socket Lab loaded, open
// the page, run palette commands, answer quick inputs, read the Sockets view and reach webview frames.
import * as fs from 'fs';
import * as path from 'path';
import type { Browser, FrameLocator, Locator, Page } from 'playwright-core';
import { tempDir } from './tempDir';
import { waitFor } from './wait';

/** The repository root (out/test/helpers -> ../../..). */
export const repoRoot = path.resolve(__dirname, '..', '..', '..');
/** Where screenshots and other artifacts of the e2e run go (gitignored). */
export const artifactsDir = path.join(repoRoot, 'test-artifacts');

// The launch helpers are ES modules shared with `npm start`; TypeScript compiles import() to require()
// under CommonJS, so keep a real dynamic import.
const importEsm = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface WorkbenchOptions {
  /** Extra user settings (e.g. a colour theme). */
  settings?: Record<string, unknown>;
  /** Files to put in the workspace folder. */
  files?: Record<string, string>;
  /** Display language of the extension host, e.g. 'zh-cn' (the workbench's own strings stay English). */
  locale?: string;
}

/** The framing step's placeholder, in English or in Chinese (a workbench started with locale zh-cn). */
const FRAMING_PLACEHOLDER = /^(Framing|分帧)/;

/** waitFor with the workbench's default bound (20 s: a fresh workbench under load is slow). Every e2e wait is bounded. */
export async function waitUntil(
  what: string,
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 20000,
): Promise<void> {
  await waitFor(what, cond, timeoutMs);
}

/** Whether `locator` reaches `state` within `timeoutMs` (false instead of a timeout error, for a retry). */
function reaches(locator: Locator, state: 'visible' | 'hidden', timeoutMs: number): Promise<boolean> {
  return locator.waitFor({ state, timeout: timeoutMs }).then(
    () => true,
    () => false,
  );
}

/** Sets a vscode-single-select (custom element) of a panel the way a user's pick does: value + change event. */
export async function selectOption(panel: FrameLocator, selector: string, value: string): Promise<void> {
  await panel.locator(selector).evaluate((el, v) => {
    (el as unknown as { value: string }).value = v;
    el.dispatchEvent(new Event('change', { bubbles: true }));
  }, value);
}

/** One code-server + one Chromium page with Socket Lab loaded from this repository. */
export class Workbench {
  private constructor(
    readonly page: Page,
    private readonly browser: Browser,
    private readonly server: { stop(): Promise<void>; url: string },
    readonly workspace: string,
  ) {}

  static async start(options: WorkbenchOptions = {}): Promise<Workbench> {
    const { startCodeServer, workbenchUrl } = await importEsm(path.join(repoRoot, 'scripts', 'lib', 'codeServer.mjs'));
    const { launchBrowser } = await importEsm(path.join(repoRoot, 'scripts', 'lib', 'browser.mjs'));
    const workspace = tempDir('socket-lab-e2e-ws-').dir;
    for (const [name, text] of Object.entries(options.files ?? {})) fs.writeFileSync(path.join(workspace, name), text);
    const server = await startCodeServer({
      folder: workspace,
      settings: { 'workbench.colorTheme': 'Default Dark Modern', ...options.settings },
      locale: options.locale,
    });
    let browser: Browser | undefined;
    try {
      browser = (await launchBrowser()) as Browser;
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      await page.goto(workbenchUrl(server.url, { folder: workspace, extensionDevelopmentPath: repoRoot }));
      await page.locator('.monaco-workbench').waitFor({ timeout: 60000 });
      // The activity bar entry appears once the workbench has read Socket Lab's manifest.
      await page.locator('.activitybar .action-item a[aria-label^="Socket Lab"]').waitFor({ timeout: 60000 });
      return new Workbench(page, browser, server, workspace);
    } catch (err) {
      await browser?.close().catch(() => undefined);
      await server.stop();
      throw err;
    }
  }

  /** Runs a command from the palette by its full title, e.g. 'Socket Lab: Start TCP Listener'. */
  async runCommand(title: string): Promise<void> {
    const { page } = this;
    const input = page.locator('.quick-input-widget input');
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    for (let attempt = 1; ; attempt++) {
      try {
        await this.openPalette();
        await input.fill(`>${title}`, { timeout: 5000 });
        await row.waitFor({ state: 'visible', timeout: 20000 });
        await input.press('Enter', { timeout: 5000 });
        break;
      } catch (err) {
        // The palette closed under us (focus moved to a webview): open it again.
        if (attempt >= 3) throw err;
        await this.screenshot(`palette-closed-${attempt}`);
      }
    }
    // The command's own prompt reuses the same widget: wait until the palette has gone (the widget
    // hid, or shows another value), or the next answer would be typed into the palette.
    await waitUntil(
      `the palette to run ${title}`,
      async () => !(await input.isVisible()) || !(await input.inputValue()).startsWith('>'),
    );
  }

  /**
   * Opens the command palette with F1. When keyboard focus sits inside a webview's iframe the key may not
   * reach the workbench: then the focus is given back to the workbench's document and F1 pressed again.
   */
  async openPalette(): Promise<void> {
    const { page } = this;
    const input = page.locator('.quick-input-widget input');
    for (let attempt = 1; ; attempt++) {
      // Keys pressed while a webview's iframe has the focus reach the workbench later, forwarded by the
      // webview: a forwarded Escape can then close the palette F1 just opened. Type into the workbench.
      await page.evaluate(() => {
        const active = document.activeElement as HTMLElement | null;
        if (active?.tagName === 'IFRAME') active.blur();
      });
      await page.keyboard.press('Escape');
      await page.keyboard.press('F1');
      try {
        await input.waitFor({ state: 'visible', timeout: attempt < 3 ? 5000 : 30000 });
        return;
      } catch (err) {
        if (attempt >= 3) throw err;
        await this.screenshot(`palette-did-not-open-${attempt}`);
        await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur?.());
        await page
          .locator('.part.sidebar .composite.title')
          .first()
          .click({ timeout: 5000 })
          .catch(() => undefined);
      }
    }
  }

  /**
   * Switches the colour theme through the theme picker (e.g. 'Dark Modern', 'Light Modern', 'High Contrast').
   * The `workbench.colorTheme` user setting is not honoured at startup by the code-server workbench when
   * an extension is under development (it comes up in Light+), so tests that need a theme pick it here.
   */
  async setColorTheme(label: string, uiClass: 'vs' | 'vs-dark' | 'hc-black' | 'hc-light'): Promise<void> {
    const { page } = this;
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill('>Preferences: Color Theme');
    // Not the first row: 'Browse Color Themes in Marketplace' ranks first and needs the internet.
    await page
      .locator('.quick-input-list .monaco-list-row .label-name', { hasText: /^Preferences: Color Theme$/ })
      .first()
      .click();
    await page
      .locator('.quick-input-list .monaco-list-row', { hasText: label })
      .first()
      .waitFor({ state: 'visible', timeout: 20000 });
    await input.fill(label);
    await page
      .locator('.quick-input-list .monaco-list-row', { hasText: label })
      .first()
      .waitFor({ state: 'visible', timeout: 20000 });
    await input.press('Enter');
    await page.locator(`.monaco-workbench.${uiClass}`).waitFor({ state: 'attached', timeout: 20000 });
  }

  /** Lists the titles the palette offers for a query. */
  async paletteEntries(query: string): Promise<string[]> {
    const { page } = this;
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.fill(`>${query}`);
    await page.locator('.quick-input-list .monaco-list-row').first().waitFor({ state: 'visible', timeout: 20000 });
    const labels = await page.locator('.quick-input-list .monaco-list-row .label-name').allInnerTexts();
    await page.keyboard.press('Escape');
    return labels;
  }

  /** Types into the open quick input (replacing its value) and accepts it. */
  async answer(text: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget input');
    await waitUntil(
      'a prompt that is not the command palette',
      async () => (await input.isVisible()) && !(await input.inputValue()).startsWith('>'),
    );
    await input.fill(text);
    const messageAfterFill = await this.quickInputMessage().catch(() => '');
    await input.press('Enter');
    // Wait until the prompt took the answer: it closed, or the next prompt (another value or message) is up.
    await waitUntil(
      `the prompt to accept ${JSON.stringify(text)}`,
      async () =>
        !(await input.isVisible()) ||
        (await input.inputValue()) !== text ||
        (await this.quickInputMessage().catch(() => '')) !== messageAfterFill,
    );
  }

  /**
   * Answers the workbench's own open/save dialog (a quick input in the web workbench) with a path. The
   * dialog fills in its proposed path asynchronously (a save dialog selects the proposed name), and a
   * value typed before that lands replaces only the selection, so: wait for the proposal, type the path,
   * check the dialog holds exactly that path before Enter (typing it again if not), and wait until it closed.
   */
  async answerPath(filePath: string, options: { exists: boolean } = { exists: true }): Promise<void> {
    const widget = this.page.locator('.quick-input-widget');
    const input = widget.locator('input');
    await input.waitFor({ state: 'visible', timeout: 20000 });
    // Both dialogs propose a path (the folder, or the folder and a name); an empty box is one still loading.
    await waitUntil('the file dialog to propose a path', async () => (await input.inputValue()) !== '', 10000).catch(
      () => undefined,
    );
    let shown = '';
    for (let attempt = 1; ; attempt++) {
      await input.fill(filePath);
      if (await this.inputHolds(input, filePath)) break;
      shown = await input.inputValue().catch(() => '');
      if (attempt === 3) {
        const shot = await this.screenshot(`file-dialog-value-${Date.now()}`);
        throw new Error(`the file dialog kept changing ${filePath} (it showed ${JSON.stringify(shown)}; see ${shot})`);
      }
    }
    const base = filePath.slice(filePath.lastIndexOf('/') + 1);
    // An open dialog lists the file once it has read the folder; a save dialog for a new file has no row.
    if (options.exists)
      await widget
        .locator('.monaco-list-row', { hasText: base })
        .first()
        .waitFor({ state: 'visible', timeout: 10000 })
        .catch(() => undefined);
    await input.press('Enter');
    if (await reaches(widget, 'hidden', 5000)) return;
    // Seen on a cold host: the first Enter was not taken. Keep a picture, then accept once more
    // (typing the path again only if the dialog changed it).
    const shot = await this.screenshot(`file-dialog-second-enter-${Date.now()}`);
    shown = await input.inputValue().catch(() => '');
    if (shown !== filePath) {
      await input.fill(filePath);
      await this.inputHolds(input, filePath);
    }
    await input.press('Enter');
    if (await reaches(widget, 'hidden', 10000)) return;
    throw new Error(`the file dialog did not accept ${filePath} (it showed ${JSON.stringify(shown)}; see ${shot})`);
  }

  /**
   * Hovers `target` until the workbench shows a tooltip containing `text`, and returns that tooltip. A hover
   * needs the mouse to arrive on the element (it may already be there after a reload or a theme change), and
   * a tree refresh under it dismisses one, so the mouse leaves and comes back up to three times.
   */
  async tooltipOf(target: Locator, text: string): Promise<Locator> {
    const hover = this.page.locator('.monaco-hover, .workbench-hover').filter({ hasText: text }).first();
    for (let attempt = 1; ; attempt++) {
      await this.page.mouse.move(700, 600);
      await target.hover();
      if (await reaches(hover, 'visible', 10000)) return hover;
      if (attempt === 3) {
        const shot = await this.screenshot(`tooltip-missing-${Date.now()}`);
        throw new Error(`no tooltip with ${JSON.stringify(text)} over the element (see ${shot})`);
      }
    }
  }

  /** Whether the input still holds `value` over five checks 100 ms apart (a late dialog update would change it). */
  private async inputHolds(input: Locator, value: string): Promise<boolean> {
    for (let check = 0; check < 5; check++) {
      if ((await input.inputValue().catch(() => '')) !== value) return false;
      await this.page.waitForTimeout(100);
    }
    return true;
  }

  /**
   * The framing step that ends the TCP/Unix start and connect prompts: picks the row matching `choice`, or
   * keeps the first row (the last framing used, none at first) with Enter.
   */
  async answerFraming(choice?: string | RegExp): Promise<void> {
    const input = this.page.locator('.quick-input-widget input');
    await waitUntil(
      'the framing step',
      async () =>
        (await input.isVisible()) && FRAMING_PLACEHOLDER.test((await input.getAttribute('placeholder')) ?? ''),
    );
    if (choice === undefined) await input.press('Enter');
    else await this.pick(choice);
    await waitUntil(
      'the framing step to close',
      async () =>
        !(await input.isVisible()) || !FRAMING_PLACEHOLDER.test((await input.getAttribute('placeholder')) ?? ''),
    );
  }

  /** Clicks the entry of the open quick pick whose text matches. */
  async pick(text: string | RegExp): Promise<void> {
    const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first();
    await row.waitFor({ state: 'visible', timeout: 30000 });
    await row.click();
  }

  /** The validation message the open quick input shows now. */
  async quickInputMessage(): Promise<string> {
    return (await this.page.locator('.quick-input-widget .quick-input-message').innerText()).trim();
  }

  /** Opens the Socket Lab view container. */
  async openSocketsView(): Promise<void> {
    // With one view in the container VS Code hides the pane header, so wait for the container's title.
    const title = this.page.locator('.sidebar .composite.title', { hasText: /Socket Lab/i });
    const entry = this.page.locator('.activitybar .action-item', {
      has: this.page.locator('a[aria-label^="Socket Lab"]'),
    });
    for (let attempt = 1; ; attempt++) {
      if (await title.isVisible().catch(() => false)) return;
      // Clicking the entry of the container already shown hides the side bar again, and on a loaded machine the
      // title can render after the check above: click only an entry that is not the active one.
      const active = await entry.evaluate((el) => el.classList.contains('checked')).catch(() => false);
      // The view's badge (live connections) sits over the icon and takes the pointer events; the click still
      // reaches the activity bar entry through it, so skip Playwright's "receives events" check.
      if (!active) await entry.locator('a').click({ force: true });
      const shown = await reaches(title, 'visible', 10000);
      if (shown) return;
      if (attempt === 3) throw new Error('the Socket Lab view container did not show after three tries');
    }
  }

  /** A row of the Sockets view whose label matches. */
  treeItem(label: string | RegExp): Locator {
    return this.page.locator('.sidebar .pane-body .monaco-list-row', { hasText: label }).first();
  }

  /**
   * Starts a TCP listener on 127.0.0.1 with an ephemeral port through the palette and its quick inputs, and
   * waits for its row in the Sockets view (a screenshot named `<shotName>` when it does not appear).
   */
  async startTcpListenerFromPalette(
    shotName = 'tcp-listener-missing',
    timeoutMs = 60000,
  ): Promise<{ item: Locator; port: number }> {
    await this.openSocketsView();
    await this.runCommand('Socket Lab: Start TCP Listener');
    await this.answer('127.0.0.1');
    await this.answer('0');
    await this.answerFraming();
    const item = this.treeItem(/TCP 127\.0\.0\.1:\d+/);
    await item.waitFor({ state: 'visible', timeout: timeoutMs }).catch(async (err) => {
      await this.screenshot(shotName);
      throw err;
    });
    return { item, port: Number(/127\.0\.0\.1:(\d+)/.exec(await item.innerText())![1]) };
  }

  /**
   * Starts a TCP relay on 127.0.0.1 (an ephemeral port) to 127.0.0.1:`upstreamPort` through the palette and its
   * prompts, and waits for its row in the Sockets view.
   */
  async startRelayFromPalette(upstreamPort: number): Promise<{ item: Locator; port: number }> {
    await this.runCommand('Socket Lab: Start Relay');
    await this.answer('127.0.0.1');
    await this.answer('0');
    await this.answer('127.0.0.1');
    await this.answer(String(upstreamPort));
    await this.pick(/^TCP/);
    const item = this.treeItem(new RegExp(`Relay 127\\.0\\.0\\.1:\\d+ → 127\\.0\\.0\\.1:${upstreamPort}`));
    await item.waitFor({ state: 'visible', timeout: 60000 });
    return { item, port: Number(/Relay 127\.0\.0\.1:(\d+)/.exec(await item.innerText())![1]) };
  }

  /** Opens the send panel of a Sockets view row through its inline action; resolves when the composer shows. */
  async openPanelFromTree(item: Locator, shotName = 'panel-missing'): Promise<FrameLocator> {
    await item.hover();
    await item.locator('.action-label[aria-label^="Open Send Panel"]').click();
    const panel = this.webview();
    await panel
      .locator('#payload')
      .waitFor({ state: 'visible', timeout: 30000 })
      .catch(async (err) => {
        await this.screenshot(shotName);
        throw err;
      });
    return panel;
  }

  /**
   * Starts a listener from the palette (`command`, e.g. 'Socket Lab: Start UDP Listener') on 127.0.0.1 with an
   * ephemeral port and opens its send panel by clicking its row; returns the panel and the real port. A TCP or
   * Unix start ends with `framing`'s answers to the framing step (the first row, no framing, unless given).
   */
  async openListenerPanel(
    command: string,
    labelPrefix: string,
    framing: () => Promise<void> = () => this.answerFraming(),
  ): Promise<{ panel: FrameLocator; port: number }> {
    await this.runCommand(command);
    await this.answer('127.0.0.1');
    await this.answer('0');
    if (/TCP|Unix/.test(command)) await framing();
    const item = this.treeItem(new RegExp(`^${labelPrefix} 127\\.0\\.0\\.1:\\d+`));
    await item.waitFor({ state: 'visible', timeout: 30000 });
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(await item.innerText())![1]);
    await item.click();
    const panel = this.webview();
    await panel.locator('#title', { hasText: `${labelPrefix} 127.0.0.1:${port}` }).waitFor({ timeout: 30000 });
    return { panel, port };
  }

  /** Back to an empty Sockets view and no open editor, so that labels and webviews are unambiguous. */
  async reset(): Promise<void> {
    await this.runCommand('Socket Lab: Stop All');
    await this.page.locator('.sidebar .pane-body', { hasText: 'No socket is open.' }).waitFor({ timeout: 20000 });
    await this.runCommand('View: Close All Editors');
    await this.page
      .locator('iframe.webview')
      .first()
      .waitFor({ state: 'detached', timeout: 20000 })
      .catch(() => undefined);
  }

  /** The active webview's content frame (two iframes deep). */
  webview(): FrameLocator {
    return this.page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  }

  /** Saves a screenshot under test-artifacts/. */
  async screenshot(name: string): Promise<string> {
    fs.mkdirSync(artifactsDir, { recursive: true });
    const file = path.join(artifactsDir, `${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  async stop(): Promise<void> {
    await this.browser.close().catch(() => undefined);
    await this.server.stop();
    fs.rmSync(this.workspace, { recursive: true, force: true });
  }
}
