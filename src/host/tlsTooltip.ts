/** The TLS and relay lines of the Sockets view's tooltips: session, peer chain, CA path; a relay pair's upstream. */
import * as vscode from 'vscode';
import type { ConnectionInfo, EndpointInfo } from '../shared/model';
import { formatAddress } from '../shared/naming';
import type { TlsInfo } from '../shared/tls';
import { describeInfoError } from './errorText';

/** Markdown lines describing a TLS session or a listener's TLS settings (the text is escaped by `escape`). */
export function tlsLines(tls: TlsInfo, escape: (text: string) => string, heading = vscode.l10n.t('TLS')): string[] {
  const lines: string[] = [];
  const facts: string[] = [];
  if (tls.protocol) facts.push(tls.protocol);
  if (tls.cipher) facts.push(tls.cipher);
  if (tls.alpn) facts.push(vscode.l10n.t('ALPN {0}', tls.alpn));
  if (tls.servername) facts.push(vscode.l10n.t('SNI {0}', tls.servername));
  lines.push(`$(lock) **${escape(heading)}**${facts.length ? ': ' + escape(facts.join(' · ')) : ''}`);
  if (tls.authorized === true) lines.push(escape(vscode.l10n.t('Certificate trusted')));
  if (tls.authorized === false) {
    const why =
      describeInfoError({
        error: tls.authorizationError,
        errorTemplate: tls.authorizationErrorTemplate,
        errorValues: tls.authorizationErrorValues,
      }) ?? '';
    lines.push(`$(warning) ${escape(vscode.l10n.t('Certificate not trusted: {0}', why))}`);
  }
  for (const cert of tls.peerCertificates) {
    lines.push(
      escape(
        vscode.l10n.t(
          '{0} (issued by {1}), valid {2} to {3}, SHA-256 {4}',
          cert.subject,
          cert.issuer,
          cert.validFrom,
          cert.validTo,
          cert.fingerprint256,
        ),
      ),
    );
  }
  if (tls.caPath) lines.push(`${escape(vscode.l10n.t('CA to trust'))}: \`${tls.caPath}\``);
  if (tls.keylogPath) lines.push(`${escape(vscode.l10n.t('Key log'))}: \`${tls.keylogPath}\``);
  return lines;
}

/** The extra tooltip lines of an endpoint: its TLS settings or session, and what a relay relays. */
export function endpointExtraLines(info: EndpointInfo, escape: (text: string) => string): string[] {
  const lines: string[] = [];
  if (info.relay) {
    const sides = [info.relay.protocol.toUpperCase()];
    if (info.relay.tlsListen) sides.push(vscode.l10n.t('TLS toward clients'));
    if (info.relay.tlsUpstream) sides.push(vscode.l10n.t('TLS toward the server'));
    lines.push(escape(vscode.l10n.t('Relay: {0}', sides.join(' · '))));
  }
  if (info.tls) lines.push(...tlsLines(info.tls, escape));
  return lines;
}

/** The extra tooltip lines of a connection: its TLS session, and a relay pair's upstream side. */
export function connectionExtraLines(c: ConnectionInfo, escape: (text: string) => string): string[] {
  const lines: string[] = [];
  if (c.upstreamLocal)
    lines.push(`${escape(vscode.l10n.t('Relay side toward the server'))}: \`${formatAddress(c.upstreamLocal)}\``);
  if (c.upstreamEnded) lines.push(escape(vscode.l10n.t('The server closed its side (passed on to the client)')));
  if (c.resetBy === 'client') lines.push(escape(vscode.l10n.t('Reset by the client (passed on to the server)')));
  if (c.resetBy === 'upstream') lines.push(escape(vscode.l10n.t('Reset by the server (passed on to the client)')));
  if (c.tls) lines.push(...tlsLines(c.tls, escape, c.upstreamLocal ? vscode.l10n.t('TLS with the client') : undefined));
  if (c.upstreamTls) lines.push(...tlsLines(c.upstreamTls, escape, vscode.l10n.t('TLS with the server')));
  return lines;
}
