// The send panel's accessibility in the real workbench: every field has a name a screen reader reads, and
// the collapsible headers stay readable in a high-contrast theme.
import * as assert from 'assert';
import { Workbench, selectOption, waitUntil } from '../helpers/workbench';

describe('Send panel accessibility', function () {
  this.timeout(240000);
  let wb: Workbench;

  before(async () => {
    wb = await Workbench.start();
    await wb.openSocketsView();
  });

  // Each test starts from an empty Sockets view and no open editor, so labels and webviews are unambiguous.
  beforeEach(() => wb.reset());

  after(async () => {
    await wb?.stop();
  });

  // Accessibility: every field of the composer, the fixed reply and the export format have a name a screen
  // reader reads (the inner input of a vscode-textfield takes its aria-label from the `label` property).
  it('the repeat fields, the fixed reply and the export format have proper labels', async () => {
    const { panel } = await wb.openListenerPanel('Socket Lab: Start TCP Listener', 'TCP');
    const innerLabel = (selector: string) =>
      panel
        .locator(selector)
        .evaluate(
          (host) =>
            host.shadowRoot
              ?.querySelector('input, textarea, [role="combobox"], .select-face')
              ?.getAttribute('aria-label') ?? '',
        );
    assert.match(await innerLabel('#repeat-interval'), /interval/i);
    assert.match(await innerLabel('#repeat-count'), /count/i);
    assert.match(await innerLabel('#payload'), /payload/i);
    assert.strictEqual(await panel.locator('#export-format').getAttribute('aria-label'), 'Export format');
    assert.match(await innerLabel('#export-format'), /^Export format$/);
    await panel.locator('#auto-reply-box').click();
    await selectOption(panel, '#auto-reply-mode', 'fixed');
    await panel.locator('#auto-reply-data').waitFor({ timeout: 5000 });
    assert.ok((await innerLabel('#auto-reply-data')).length > 0, 'the fixed reply has a label');
    assert.ok(
      ((await panel.locator('#auto-reply-data').getAttribute('placeholder')) ?? '').length > 0,
      'the fixed reply has a placeholder',
    );
    assert.match(await panel.locator('#auto-reply .auto-reply-encoding').innerText(), /Encoding: utf8/);
  });

  // High Contrast Light defines no section header background: the History and Auto-reply headers must
  // still be readable (not near-black bars under a dark chevron).
  it('the collapsible headers are readable in High Contrast Light', async () => {
    const { panel } = await wb.openListenerPanel('Socket Lab: Start TCP Listener', 'TCP');
    await wb.setColorTheme('Light High Contrast', 'hc-light');
    try {
      // The panel has the theme once its page is white.
      await waitUntil(
        'the panel in High Contrast Light',
        async () =>
          (await panel.locator('body').evaluate((body) => getComputedStyle(body).backgroundColor)) ===
          'rgb(255, 255, 255)',
      );
      await wb.screenshot('panel-theme-hc-light');
      for (const id of ['#history-box', '#auto-reply-box']) {
        const colours = await panel.locator(id).evaluate((host) => {
          const root = host.shadowRoot!;
          const header = root.querySelector('.collapsible-header')!;
          /** The first opaque background from the header up (the page's own otherwise). */
          let bg = 'rgba(0, 0, 0, 0)';
          for (
            let e: Element | null = header;
            e && /rgba\(.*, 0\)|transparent/.test(bg);
            e = e.parentElement ?? (e.getRootNode() as ShadowRoot).host ?? null
          )
            bg = getComputedStyle(e).backgroundColor;
          if (/rgba\(.*, 0\)|transparent/.test(bg)) bg = getComputedStyle(document.body).backgroundColor;
          return {
            bg,
            title: getComputedStyle(root.querySelector('.title')!).color,
            icon: getComputedStyle(root.querySelector('.header-icon')!).color,
          };
        });
        const lum = (c: string) => {
          const [r, g, b] = (c.match(/[\d.]+/g) ?? [])
            .slice(0, 3)
            .map((x) => Number(x) / 255)
            .map((x) => (x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4));
          return 0.2126 * r + 0.7152 * g + 0.0722 * b;
        };
        const contrast = (a: string, b: string) =>
          (Math.max(lum(a), lum(b)) + 0.05) / (Math.min(lum(a), lum(b)) + 0.05);
        assert.ok(contrast(colours.title, colours.bg) >= 4.5, `${id}: title ${colours.title} on ${colours.bg}`);
        assert.ok(contrast(colours.icon, colours.bg) >= 3, `${id}: chevron ${colours.icon} on ${colours.bg}`);
      }
    } finally {
      await wb.setColorTheme('Dark Modern', 'vs-dark');
    }
  });
});
