/** The commands that open an endpoint: listeners and clients over TCP, UDP and Unix sockets. */
import * as vscode from 'vscode';
import { stateText } from '../labels';
import { parseCommandArgs } from '../../core/commandArgs';
import type {
  ConnectTcpArgs,
  OpenUdpClientArgs,
  StartTcpListenerArgs,
  StartUdpListenerArgs,
} from '../../shared/commandArgs';
import { isExternalBind } from '../../shared/ipAddress';
import type { EndpointInfo } from '../../shared/model';
import type { FramingSpec } from '../../shared/framing';
import { endpointName, formatAddress } from '../../shared/naming';
import { askFraming } from '../framingPrompt';
import { askHostAndPort, askUnixPath } from '../prompts';
import { readSettings } from '../settings';
import { resolveWorkspacePath, withResolvedCapture } from '../workspacePath';
import type { CommandContext, CommandHandler } from './commandContext';

/** The modal confirmation for binds that other machines can reach (a new one, or one restored after a reload). */
export async function confirmExternal(host: string, port: number): Promise<boolean> {
  if (!readSettings().confirmExternalBind) return true;
  const bind = vscode.l10n.t('Bind');
  const answer = await vscode.window.showWarningMessage(
    vscode.l10n.t('Bind {0} port {1}?', host, String(port)),
    {
      modal: true,
      detail: vscode.l10n.t(
        'The port becomes reachable from the network: any machine that can reach this one can connect or send to it. (Setting: socketLab.confirmExternalBind)',
      ),
    },
    bind,
  );
  return answer === bind;
}

/** Logs the new endpoint and reveals it in the Sockets view. */
export function logStarted(ctx: CommandContext, info: EndpointInfo): void {
  const started = `${info.id}: ${endpointName(info)} ${stateText(info.state)}`;
  ctx.output.info(info.local ? vscode.l10n.t('{0} (local {1})', started, formatAddress(info.local)) : started);
  void ctx.treeView
    .reveal(ctx.tree.nodeFor(info.id) ?? { type: 'endpoint', id: info.id }, { select: true, focus: false })
    .then(undefined, () => undefined);
}

/** What the listen prompts answered: where to bind (other machines' reach confirmed) and the framing. */
export interface ListenAnswer {
  host: string;
  port: number;
  allowExternal: boolean;
  framing?: FramingSpec;
}

/**
 * The prompts of a listener: host and port, the framing when `withFraming` (a stream), then the confirmation
 * of a bind other machines can reach. Undefined when the user cancels any step.
 */
export async function askListen(
  ctx: CommandContext,
  title: string,
  key: string,
  defaultPort: string,
  withFraming: boolean,
): Promise<ListenAnswer | undefined> {
  const answer = await askHostAndPort(
    ctx.memory,
    title,
    key,
    { host: readSettings().defaultHost, port: defaultPort },
    'listen',
  );
  if (!answer) return undefined;
  const framing = withFraming ? await askFraming(ctx.memory, title, key) : undefined;
  if (withFraming && !framing) return undefined;
  // The core refuses external binds unless allowed; the user allows one by confirming it here.
  const external = isExternalBind(answer.host);
  if (external && !(await confirmExternal(answer.host, answer.port))) return undefined;
  return { ...answer, allowExternal: external, ...(framing ? { framing } : {}) };
}

/** The prompts of a client: host and port, then the framing when `withFraming` (a stream). */
export async function askConnect(
  ctx: CommandContext,
  title: string,
  key: string,
  defaults: { host: string; port: string },
  withFraming: boolean,
): Promise<{ host: string; port: number; framing?: FramingSpec } | undefined> {
  const answer = await askHostAndPort(ctx.memory, title, key, defaults, 'connect');
  if (!answer) return undefined;
  const framing = withFraming ? await askFraming(ctx.memory, title, key) : undefined;
  if (withFraming && !framing) return undefined;
  return { ...answer, ...(framing ? { framing } : {}) };
}

/**
 * Start TCP Listener / Start UDP Listener: asks where to bind (confirming a bind other machines can reach),
 * and for TCP the framing.
 */
export function startListenerCommand(
  ctx: CommandContext,
  command: 'startTcpListener' | 'startUdpListener',
  title: string,
  keyPrefix: string,
): CommandHandler {
  const start = (args: StartTcpListenerArgs | StartUdpListenerArgs) =>
    command === 'startTcpListener' ? ctx.lab.startTcpListener(args) : ctx.lab.startUdpListener(args);
  return {
    interactive: async () => {
      // TCP only: UDP keeps one record per datagram.
      const answer = await askListen(ctx, title, `${keyPrefix}.listen`, '8880', command === 'startTcpListener');
      if (!answer) return undefined;
      const info = await start(answer);
      logStarted(ctx, info);
      return info;
    },
    scripted: async (args) => {
      // The core applies the default host and refuses external binds without allowExternal: true.
      const info = await start(parseCommandArgs(command, withResolvedCapture(args)));
      logStarted(ctx, info);
      return info;
    },
  };
}

/** Connect TCP Client / Open UDP Client: asks where to connect, and for TCP the framing. */
export function connectCommand(
  ctx: CommandContext,
  command: 'connectTcp' | 'openUdpClient',
  title: string,
  keyPrefix: string,
): CommandHandler {
  const connect = (args: ConnectTcpArgs | OpenUdpClientArgs) => {
    if (command === 'openUdpClient') return ctx.lab.openUdpClient(args);
    // A TCP client without a timeout of its own waits as long as the setting says.
    const tcp: ConnectTcpArgs = args;
    return ctx.lab.connectTcp({ ...tcp, timeoutMs: tcp.timeoutMs ?? readSettings().connectTimeoutMs });
  };
  return {
    interactive: async () => {
      const answer = await askConnect(
        ctx,
        title,
        `${keyPrefix}.connect`,
        { host: readSettings().defaultHost, port: '8880' },
        command === 'connectTcp',
      );
      if (!answer) return undefined;
      const info = await connect(answer);
      logStarted(ctx, info);
      return info;
    },
    scripted: async (args) => {
      const info = await connect(parseCommandArgs(command, withResolvedCapture(args)));
      logStarted(ctx, info);
      return info;
    },
  };
}

/** Start Unix Socket Listener / Connect Unix Socket Client: asks for the socket path and the framing. */
export function unixCommand(
  ctx: CommandContext,
  command: 'startUnixListener' | 'connectUnix',
  title: string,
): CommandHandler {
  const run = (args: object) => {
    const path = (args as { path?: unknown }).path;
    const withPath = typeof path === 'string' && path !== '' ? { ...args, path: resolveWorkspacePath(path) } : args;
    const resolved = withResolvedCapture(withPath);
    return command === 'startUnixListener'
      ? ctx.lab.startUnixListener(parseCommandArgs(command, resolved))
      : ctx.lab.connectUnix(parseCommandArgs(command, resolved));
  };
  return {
    interactive: async () => {
      const path = await askUnixPath(ctx.memory, title, `${command}.path`);
      if (path === undefined) return undefined;
      const framing = await askFraming(ctx.memory, title, command);
      if (!framing) return undefined;
      const info = await run({ path, framing });
      logStarted(ctx, info);
      return info;
    },
    scripted: async (args) => {
      const info = await run(args);
      logStarted(ctx, info);
      return info;
    },
  };
}
