/**
 * The send panel's HTML shell. Pure (no vscode import) so the unit tests can parse it: a strict CSP
 * (`default-src 'none'`), the one script allowed by a per-render nonce, styles and fonts only from the
 * webview's resource origin, and no inline handlers or inline styles. Everything else is built by the
 * script with DOM APIs; received bytes are only ever set with textContent.
 */

/** What the shell needs: the webview's cspSource and the URIs (as strings) of the bundle's files. */
export interface PanelHtmlOptions {
  cspSource: string;
  /** Base64 from crypto.randomBytes, fresh for every render. */
  nonce: string;
  scriptUri: string;
  styleUri: string;
  codiconUri: string;
  /** Shown until the script runs. */
  title: string;
  /** BCP 47 language of the UI (vscode.env.language). */
  lang: string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for an HTML attribute or text node. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** The Content-Security-Policy of the panel. */
export function panelCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    // data: only for images: @vscode-elements' textarea draws its resize grip with a data: PNG.
    `img-src ${cspSource} data:`,
    // Lit and @vscode-elements style their shadow roots with constructable stylesheets (adoptedStyleSheets),
    // which style-src does not block, so no 'unsafe-inline' is needed.
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

/** The HTML of one render of the panel. */
export function buildPanelHtml(o: PanelHtmlOptions): string {
  if (!/^[A-Za-z0-9+/=]{16,}$/.test(o.nonce)) throw new Error('nonce must be at least 16 base64 characters');
  const a = (s: string) => escapeHtml(s);
  return `<!DOCTYPE html>
<html lang="${a(o.lang)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${a(panelCsp(o.cspSource, o.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${a(o.codiconUri)}" id="vscode-codicon-stylesheet">
<link rel="stylesheet" href="${a(o.styleUri)}">
<title>${a(o.title)}</title>
</head>
<body>
<div id="app" aria-busy="true"><p class="loading">${a(o.title)}</p></div>
<script nonce="${a(o.nonce)}" src="${a(o.scriptUri)}"></script>
</body>
</html>`;
}
