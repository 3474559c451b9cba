// Steps on the send panel's webview that several e2e files take: pick from a vscode-single-select, open or
// close a part of the panel, count the log's rows, switch themes, read Chromium's accessibility tree, move by Tab,
// run axe-core (npm `axe-core`) in the panel's frame.
import * as fs from 'fs';
import * as path from 'path';
import type { Frame, FrameLocator, Locator, Page } from 'playwright-core';
import { repoRoot, type Workbench } from './workbench';

/** Sets a vscode-single-select (custom element) the way a user's pick does: value + change event. */
export async function pickOption(target: Locator, value: string): Promise<void> {
  await target.evaluate((el, v) => {
    (el as unknown as { value: string }).value = v;
    el.dispatchEvent(new Event('change', { bubbles: true }));
  }, value);
}

/**
 * Picks the payload's Format and writes `text` as the payload. Switching Format converts a non-empty payload
 * through the host; a conversion that lands while Playwright's fill is between selecting the old text and
 * typing the new one leaves both in the field (seen once: "Hi" twice). A conversion that lands after the
 * fill is dropped by the panel (the user typed over it), so filling again until the field holds exactly `text`
 * settles it.
 */
export async function setPayload(panel: FrameLocator, format: string, text: string): Promise<void> {
  await pickOption(panel.locator('#format'), format);
  const field = panel.locator('#payload textarea');
  for (let attempt = 1; attempt <= 3; attempt++) {
    await field.fill(text);
    if ((await field.inputValue()) === text) return;
  }
  throw new Error(
    `the payload field did not keep ${JSON.stringify(text)} (it holds ${JSON.stringify(await field.inputValue())})`,
  );
}

/** Opens (or closes) the panel's History or Auto-reply part through its heading's button, whatever it was. */
export async function setSectionOpen(panel: FrameLocator, id: 'history' | 'auto-reply', open = true): Promise<void> {
  const toggle = panel.locator(`#${id}-toggle`);
  await toggle.waitFor({ timeout: 15000 });
  if ((await toggle.getAttribute('aria-expanded')) !== String(open)) await toggle.click();
  await panel.locator(`#${id}-body`).waitFor({ state: open ? 'visible' : 'hidden', timeout: 5000 });
}

/** Another editor takes the panel's place: an untitled file (opened once, then its tab is reused). */
export async function hidePanel(wb: Workbench, panel: FrameLocator): Promise<void> {
  const untitled = wb.page.locator('.tabs-container .tab', { hasText: 'Untitled-' }).first();
  if ((await untitled.count()) > 0) await untitled.click();
  else await wb.runCommand('File: New Untitled Text File');
  await panel
    .locator('#payload')
    .waitFor({ state: 'detached', timeout: 10000 })
    .catch(() => undefined);
}

/** Height of a row of the log (px), as src/webview/traffic/list.ts sets it. */
export const ROW_HEIGHT = 22;

/** The rows the log's list holds (its virtual height: the list scrolls over that many rows). */
export async function listRows(panel: FrameLocator): Promise<number> {
  return Math.round((await panel.locator('#spacer').evaluate((s) => s.getBoundingClientRect().height)) / ROW_HEIGHT);
}

/** A node of Chromium's accessibility tree, as the DevTools protocol gives it. */
export interface AxNode {
  nodeId: string;
  role?: { value: string };
  name?: { value: string };
  description?: { value: string };
  properties?: {
    name: string;
    value: { value?: unknown; relatedNodes?: { idref?: string; backendDOMNodeId?: number }[] };
  }[];
  childIds?: string[];
  backendDOMNodeId?: number;
}

/** A property of an accessibility node (undefined when it has none). */
export function axProperty(node: AxNode | undefined, name: string): unknown {
  return node?.properties?.find((p) => p.name === name)?.value.value;
}

/**
 * Chromium's accessibility tree of the send panel's frame (what a screen reader is given), read through the
 * DevTools protocol: the nodes of the frame whose document holds the log's treegrid.
 */
export async function panelAxTree(page: Page): Promise<AxNode[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { frameTree } = (await cdp.send('Page.getFrameTree')) as { frameTree: FrameTreeNode };
    const frames: string[] = [];
    const walk = (n: FrameTreeNode) => {
      frames.push(n.frame.id);
      for (const c of n.childFrames ?? []) walk(c);
    };
    walk(frameTree);
    for (const frameId of frames.reverse()) {
      const { nodes } = (await cdp.send('Accessibility.getFullAXTree', { frameId }).catch(() => ({ nodes: [] }))) as {
        nodes: AxNode[];
      };
      if (nodes.some((n) => n.role?.value === 'treegrid')) return nodes;
    }
    throw new Error('no frame with the send panel in the accessibility tree');
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

interface FrameTreeNode {
  frame: { id: string };
  childFrames?: FrameTreeNode[];
}

/** The node the panel's focus is on (the deepest focused one), in Chromium's accessibility tree. */
export function focusedAxNode(nodes: readonly AxNode[]): AxNode | undefined {
  return nodes.filter((n) => axProperty(n, 'focused') === true && n.role?.value !== 'RootWebArea').pop();
}

/** The row the log's treegrid names as its active descendant, in the accessibility tree. */
export function activeRowAxNode(nodes: readonly AxNode[]): AxNode | undefined {
  const grid = nodes.find((n) => n.role?.value === 'treegrid');
  const ref = grid?.properties?.find((p) => p.name === 'activedescendant')?.value.relatedNodes?.[0];
  return ref ? nodes.find((n) => n.backendDOMNodeId === ref.backendDOMNodeId) : undefined;
}

/** The id of the element that has the focus in the panel's document (the frame), or '' when none has. */
export async function focusedId(panel: FrameLocator): Promise<string> {
  return panel.locator('body').evaluate(() => document.activeElement?.id ?? '');
}

/** Presses Tab (Shift+Tab with `back`) until the element `id` has the focus in the panel; fails after `max` presses. */
export async function tabTo(page: Page, panel: FrameLocator, id: string, back = false, max = 60): Promise<void> {
  for (let i = 0; i < max; i++) {
    if ((await focusedId(panel)) === id) return;
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`#${id} did not get the focus after ${max} presses of ${back ? 'Shift+Tab' : 'Tab'}`);
}

/** The four themes the panel is checked in: the picker's label, the workbench's class, a short name for files. */
export const THEMES = [
  { label: 'Dark Modern', uiClass: 'vs-dark', kind: 'vscode-dark', name: 'dark' },
  { label: 'Light Modern', uiClass: 'vs', kind: 'vscode-light', name: 'light' },
  { label: 'Dark High Contrast', uiClass: 'hc-black', kind: 'vscode-high-contrast', name: 'hc-dark' },
  { label: 'Light High Contrast', uiClass: 'hc-light', kind: 'vscode-high-contrast-light', name: 'hc-light' },
] as const;

/** One of THEMES. */
export type Theme = (typeof THEMES)[number];

/** Switches the workbench to `theme` and waits until the panel's page has it (VS Code marks its body with it). */
export async function useTheme(wb: Workbench, panel: FrameLocator, theme: Theme): Promise<void> {
  await wb.setColorTheme(theme.label, theme.uiClass);
  await panel
    .locator(`body[data-vscode-theme-kind="${theme.kind}"][data-vscode-theme-name*="${theme.label}"]`)
    .waitFor({ state: 'attached', timeout: 20000 });
  // The theme's variables reach the custom elements' shadow roots by their next frame.
  await panel.locator('body').evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/**
 * Waits until the workbench has written the panels' states to its storage with `text` in them: VS Code keeps a
 * webview's state in memory at once but writes its editors' states to IndexedDB some seconds later, and a
 * window reload restores what was written.
 */
export async function waitForStoredPanelState(page: Page, text: string, timeoutMs = 90000): Promise<void> {
  const stored = () =>
    page.evaluate(async (needle) => {
      for (const { name } of await indexedDB.databases()) {
        if (!name?.startsWith('vscode-web-state-db')) continue;
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const open = indexedDB.open(name);
          open.onsuccess = () => resolve(open.result);
          open.onerror = () => reject(open.error);
        });
        try {
          if (!db.objectStoreNames.contains('ItemTable')) continue;
          const value = await new Promise<unknown>((resolve) => {
            const get = db.transaction('ItemTable').objectStore('ItemTable').get('memento/workbench.parts.editor');
            get.onsuccess = () => resolve(get.result);
            get.onerror = () => resolve(undefined);
          });
          const textOf = (v: unknown) =>
            typeof v === 'string' ? v : v instanceof Uint8Array ? new TextDecoder().decode(v) : '';
          if (textOf(value).includes(needle)) return true;
        } finally {
          db.close();
        }
      }
      return false;
    }, text);
  const deadline = Date.now() + timeoutMs;
  while (!(await stored())) {
    if (Date.now() > deadline) throw new Error(`the workbench did not store a panel state holding ${text}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The axe-core rule tags checked: WCAG 2.0, 2.1 and 2.2 at levels A and AA. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

interface AxeResult {
  violations: { id: string; impact: string; help: string; nodes: { target: string[]; failureSummary: string }[] }[];
}

/** The send panel's frame as playwright sees it (the frame whose document holds the composer). */
export async function panelFrame(page: Page): Promise<Frame> {
  for (const frame of page.frames())
    if (await frame.evaluate(() => !!document.getElementById('composer')).catch(() => false)) return frame;
  throw new Error('no frame holds the send panel');
}

/** Loads axe-core into `frame` (once per document: a second load only redefines the same global). */
export async function injectAxe(frame: Frame): Promise<void> {
  if (await frame.evaluate(() => 'axe' in window)) return;
  await frame.evaluate(`${fs.readFileSync(path.join(repoRoot, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8')};0`);
}

/** Runs axe-core over the whole document of `frame`; one line per violation, prefixed with `where`. */
export async function axeViolations(frame: Frame, where: string): Promise<string[]> {
  await injectAxe(frame);
  const result = (await frame.evaluate(
    (tags) =>
      (window as unknown as { axe: { run(c: unknown, o: unknown): Promise<unknown> } }).axe.run(document, {
        runOnly: { type: 'tag', values: tags },
      }),
    AXE_TAGS,
  )) as AxeResult;
  return result.violations.map(
    (v) =>
      `${where}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes
        .slice(0, 3)
        .map((n) => `${n.target.join(' ')} — ${n.failureSummary.replace(/\s+/g, ' ')}`)
        .join('; ')}`,
  );
}

/** axe-core in each of the four themes with a screenshot `<shot>-<theme>` of each, back in the first; every violation. */
export async function axeInEveryTheme(wb: Workbench, panel: FrameLocator, shot: string): Promise<string[]> {
  const frame = await panelFrame(wb.page);
  const found: string[] = [];
  for (const theme of THEMES) {
    await useTheme(wb, panel, theme);
    await wb.screenshot(`${shot}-${theme.name}`);
    found.push(...(await axeViolations(frame, theme.label)));
  }
  await useTheme(wb, panel, THEMES[0]);
  return found;
}
