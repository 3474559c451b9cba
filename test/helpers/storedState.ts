// What the web workbench has written to its IndexedDB storage: a window reload restores only that (VS Code
// keeps state in memory at once and writes it some seconds later).
import type { Page } from 'playwright-core';

/** True when some value of the workbench's stored state (any scope) holds `text`. */
function storedStateHolds(page: Page, text: string): Promise<boolean> {
  return page.evaluate(async (needle) => {
    const textOf = (v: unknown) =>
      typeof v === 'string' ? v : v instanceof Uint8Array ? new TextDecoder().decode(v) : '';
    for (const { name } of await indexedDB.databases()) {
      if (!name?.startsWith('vscode-web-state-db')) continue;
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open(name);
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      try {
        if (!db.objectStoreNames.contains('ItemTable')) continue;
        const values = await new Promise<unknown[]>((resolve) => {
          const all = db.transaction('ItemTable').objectStore('ItemTable').getAll();
          all.onsuccess = () => resolve(all.result as unknown[]);
          all.onerror = () => resolve([]);
        });
        if (values.some((v) => textOf(v).includes(needle))) return true;
      } finally {
        db.close();
      }
    }
    return false;
  }, text);
}

/** Waits (bounded) until the workbench has written a state value holding `text` (an extension's workspaceState, a panel's state). */
export async function waitForStoredState(page: Page, text: string, timeoutMs = 90000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await storedStateHolds(page, text))) {
    if (Date.now() > deadline) throw new Error(`the workbench did not store a state holding ${text}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Waits (bounded) until no stored state value holds `text` any more (the workbench wrote the change). */
export async function waitForStoredStateWithout(page: Page, text: string, timeoutMs = 90000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (await storedStateHolds(page, text)) {
    if (Date.now() > deadline) throw new Error(`the workbench still stores a state holding ${text}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
