/** The TLS and relay commands: Start TLS Listener, Connect TLS Client (with "connect anyway"), Start Relay, Copy CA Path. */
import * as vscode from 'vscode';
import { parseCommandArgs } from '../../core/commandArgs';
import type { SocketLab } from '../../core/socketLab';
import type { ConnectTlsArgs, StartRelayArgs } from '../../shared/commandArgs';
import { SocketLabError, isSocketLabError } from '../../shared/errors';
import { isExternalBind } from '../../shared/ipAddress';
import { CERTIFICATE_ERROR_CODES } from '../../shared/tls';
import { describeError } from '../errorText';
import { askHostAndPort } from '../prompts';
import { readSettings } from '../settings';
import type { CommandContext, CommandHandler } from './commandContext';
import { askConnect, askListen, confirmExternal, logStarted } from './open';
import { pickTarget } from './pickers';

/** Start TLS Listener: asks where to bind; the certificate is the generated one (files only as arguments). */
export function startTlsListenerCommand(ctx: CommandContext): CommandHandler {
  return {
    interactive: async () => {
      const title = vscode.l10n.t('Start TLS Listener');
      const answer = await askListen(ctx, title, 'tls.listen', '8443', true);
      if (!answer) return undefined;
      const info = await ctx.lab.startTlsListener(answer);
      logStarted(ctx, info);
      if (info.tls?.caPath) ctx.output.info(`${info.id}: clients can trust the CA ${info.tls.caPath}`);
      return info;
    },
    scripted: async (args) => {
      const info = await ctx.lab.startTlsListener(parseCommandArgs('startTlsListener', args));
      logStarted(ctx, info);
      return info;
    },
  };
}

/** Connect TLS Client: asks where to connect; a certificate it does not trust can be accepted once, insecurely. */
export function connectTlsCommand(ctx: CommandContext): CommandHandler {
  const connect = (args: ConnectTlsArgs) =>
    ctx.lab.connectTls({ ...args, timeoutMs: args.timeoutMs ?? readSettings().connectTimeoutMs });
  return {
    interactive: async () => {
      // localhost by default: the generated certificate names it, so a verified connection works as it is.
      const answer = await askConnect(
        ctx,
        vscode.l10n.t('Connect TLS Client'),
        'tls.connect',
        { host: 'localhost', port: '8443' },
        true,
      );
      if (!answer) return undefined;
      let info;
      try {
        info = await connect(answer);
      } catch (err) {
        if (!isSocketLabError(err) || !CERTIFICATE_ERROR_CODES.includes(err.code)) throw err;
        const anyway = vscode.l10n.t('Connect anyway (insecure)');
        const choice = await vscode.window.showWarningMessage(
          describeError(err),
          {
            modal: true,
            detail: vscode.l10n.t(
              'The session will be encrypted, but nothing proves who is at the other end. Do it only for a server you know.',
            ),
          },
          anyway,
        );
        if (choice !== anyway) return undefined;
        info = await connect({ ...answer, insecure: true });
        ctx.output.warn(`${info.id}: connected without trusting the certificate: ${info.tls?.authorizationError}`);
      }
      logStarted(ctx, info);
      return info;
    },
    scripted: async (args) => {
      const info = await connect(parseCommandArgs('connectTls', args));
      logStarted(ctx, info);
      return info;
    },
  };
}

/** The ways a relay can carry traffic, as the palette offers them. */
function relayModes(): { label: string; detail: string; protocol: 'tcp' | 'udp'; tls?: StartRelayArgs['tls'] }[] {
  return [
    { label: vscode.l10n.t('TCP'), detail: vscode.l10n.t('Plain bytes on both sides'), protocol: 'tcp' },
    {
      label: vscode.l10n.t('TCP, TLS toward the server'),
      detail: vscode.l10n.t('Clients speak plain TCP; the relay speaks TLS to the server (verified)'),
      protocol: 'tcp',
      tls: { upstream: true },
    },
    {
      label: vscode.l10n.t('TLS on both sides'),
      detail: vscode.l10n.t('Clients trust the generated CA; the relay speaks TLS to the server (verified)'),
      protocol: 'tcp',
      tls: { listen: true, upstream: true },
    },
    {
      label: vscode.l10n.t('TLS toward clients only'),
      detail: vscode.l10n.t('Clients trust the generated CA; the server gets plain TCP'),
      protocol: 'tcp',
      tls: { listen: true },
    },
    { label: vscode.l10n.t('UDP'), detail: vscode.l10n.t('A session per client address'), protocol: 'udp' },
  ];
}

/** Start Relay: asks where to listen, the server to relay to, and how (TCP, TLS on a side, UDP). */
export function startRelayCommand(ctx: CommandContext): CommandHandler {
  return {
    interactive: async () => {
      const title = vscode.l10n.t('Start Relay');
      const listen = await askHostAndPort(
        ctx.memory,
        title,
        'relay.listen',
        { host: readSettings().defaultHost, port: '0' },
        'listen',
      );
      if (!listen) return undefined;
      const upstream = await askHostAndPort(
        ctx.memory,
        vscode.l10n.t('Start Relay: the server to relay to'),
        'relay.upstream',
        { host: '127.0.0.1', port: '8880' },
        'connect',
      );
      if (!upstream) return undefined;
      const mode = await vscode.window.showQuickPick(relayModes(), {
        title,
        placeHolder: vscode.l10n.t('What the relay carries'),
      });
      if (!mode) return undefined;
      const external = isExternalBind(listen.host);
      if (external && !(await confirmExternal(listen.host, listen.port))) return undefined;
      const args: StartRelayArgs = { listen, upstream, protocol: mode.protocol, allowExternal: external };
      if (mode.tls) args.tls = mode.tls;
      const info = await ctx.lab.startRelay(args);
      logStarted(ctx, info);
      return info;
    },
    scripted: async (args) => {
      const info = await ctx.lab.startRelay(parseCommandArgs('startRelay', args));
      logStarted(ctx, info);
      return info;
    },
  };
}

/** The CA path of a TLS listener or TLS relay (of a connection: of its endpoint), or a sentence why there is none. */
function caPathOf(lab: SocketLab, id: string): string {
  const endpoint = lab.list().find((e) => e.id === id || e.connections.some((c) => c.id === id));
  if (!endpoint)
    throw SocketLabError.create('unknownId', 'There is no endpoint or connection {id}.', { id, field: 'id' });
  const caPath = endpoint.tls?.caPath;
  if (caPath === undefined) {
    throw SocketLabError.create(
      'noCaPath',
      '{id} has no generated CA: only a TLS listener or relay started without certificate files has one.',
      { id, field: 'id' },
    );
  }
  return caPath;
}

/** Copy CA Path: the generated CA certificate's path, for a client to trust (`openssl s_client -CAfile …`). */
export function copyCaPathCommand(ctx: CommandContext): CommandHandler {
  return {
    interactive: async (node) => {
      const id = node?.id ?? (await pickTarget(ctx.lab, vscode.l10n.t('Copy the CA path of'), false));
      if (!id) return undefined;
      const caPath = caPathOf(ctx.lab, id);
      await vscode.env.clipboard.writeText(caPath);
      vscode.window.setStatusBarMessage(vscode.l10n.t('Copied {0}', caPath), 3000);
      return { caPath };
    },
    scripted: async (args) => {
      const caPath = caPathOf(ctx.lab, parseCommandArgs('copyCaPath', args).id);
      await vscode.env.clipboard.writeText(caPath);
      return { caPath };
    },
  };
}
