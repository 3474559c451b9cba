import * as os from 'os';
import * as nodePath from 'path';
import * as vscode from 'vscode';
import type { SocketLab } from '../core/socketLab';
import type { EndpointInfo } from '../shared/model';
import { SocketLabError } from '../shared/errors';
import { describeValue } from '../shared/payload';
import { connectionLabel, endpointName, formatAddress, isClient, isListener } from '../shared/naming';
import { isExternalBind } from '../shared/validate';
import { describeError, toCallerError } from './messages';
import { readSettings } from './settings';
import { askDestination, askHostAndPort, askPayload, askUnixPath, PromptMemory } from './prompts';
import { isSocketNode, type SocketNode, type SocketsTreeProvider } from './socketsTree';

/** Opens the send panel of an endpoint (implemented by the panel module). */
export interface PanelOpener {
  open(endpointId: string): void;
}

/** What the command handlers need from the rest of the host. */
export interface CommandContext {
  lab: SocketLab;
  memory: PromptMemory;
  output: vscode.LogOutputChannel;
  tree: SocketsTreeProvider;
  treeView: vscode.TreeView<SocketNode>;
  panels: PanelOpener;
  /** Asks the user to confirm an external bind; replaceable so tests can answer it. */
  confirmExternalBind?: (host: string, port: number | string) => Promise<boolean>;
}

type Args = Record<string, unknown>;

/** A command runs interactively (no argument, or a tree node) or scripted (a plain argument object). */
interface CommandSpec {
  interactive: (node?: SocketNode) => Promise<unknown>;
  scripted: (args: Args) => Promise<unknown>;
}

/** Registers every Socket Lab command; returns their disposables. */
export function registerCommands(ctx: CommandContext): vscode.Disposable[] {
  const { lab, output } = ctx;
  const specs: Record<string, CommandSpec> = {
    startTcpListener: startCommand(ctx, 'startTcpListener', vscode.l10n.t('Start TCP Listener'), 'tcp'),
    startUdpListener: startCommand(ctx, 'startUdpListener', vscode.l10n.t('Start UDP Listener'), 'udp'),
    connectTcp: connectCommand(ctx, 'connectTcp', vscode.l10n.t('Connect TCP Client'), 'tcp'),
    openUdpClient: connectCommand(ctx, 'openUdpClient', vscode.l10n.t('Open UDP Client'), 'udp'),
    startUnixListener: unixCommand(ctx, 'startUnixListener', vscode.l10n.t('Start Unix Socket Listener')),
    connectUnix: unixCommand(ctx, 'connectUnix', vscode.l10n.t('Connect Unix Socket Client')),
    send: {
      interactive: async (node) => {
        const target = node?.id ?? (await pickTarget(ctx, vscode.l10n.t('Send to'), true));
        if (!target) return undefined;
        const settings = readSettings();
        const payload = await askPayload(ctx.memory, vscode.l10n.t('Send'), {
          format: settings.defaultFormat,
          encoding: settings.defaultEncoding,
          lineEnding: settings.defaultLineEnding,
        });
        if (!payload) return undefined;
        const args: Args = { target, ...payload };
        if (needsDestination(lab, target)) {
          const to = await askDestination(ctx.memory, vscode.l10n.t('Send'), '127.0.0.1:9000', lastPeerOf(lab, target));
          if (!to) return undefined;
          args.to = to;
        }
        const result = await lab.send(args);
        vscode.window.setStatusBarMessage(vscode.l10n.t('Socket Lab: sent {0} bytes', result.bytes), 3000);
        return result;
      },
      scripted: (args) => lab.send(args),
    },
    sendFile: {
      interactive: async (node) => {
        const target = node?.id ?? (await pickTarget(ctx, vscode.l10n.t('Send a file to'), true));
        if (!target) return undefined;
        const uris = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: vscode.l10n.t('Send') });
        if (!uris?.length) return undefined;
        const args: Args = { target, path: uris[0].fsPath };
        if (needsDestination(lab, target)) {
          const to = await askDestination(
            ctx.memory,
            vscode.l10n.t('Send File'),
            '127.0.0.1:9000',
            lastPeerOf(lab, target),
          );
          if (!to) return undefined;
          args.to = to;
        }
        const result = await lab.sendFile(args);
        vscode.window.setStatusBarMessage(vscode.l10n.t('Socket Lab: sent {0} bytes', result.bytes), 3000);
        return result;
      },
      scripted: (args) => lab.sendFile(args),
    },
    stopRepeat: {
      interactive: async () => {
        const repeats = lab.activeRepeats();
        if (!repeats.length) {
          void vscode.window.showInformationMessage(vscode.l10n.t('No repeat is running.'));
          return undefined;
        }
        const picked = await vscode.window.showQuickPick(
          repeats.map((r) => ({
            label: r.id,
            description: vscode.l10n.t('to {0} every {1} ms, {2} sent', r.target, r.intervalMs, r.sent),
            id: r.id,
          })),
          { title: vscode.l10n.t('Stop Repeat') },
        );
        if (!picked) return undefined;
        lab.stopRepeat({ repeatId: picked.id });
        return {};
      },
      scripted: async (args) => {
        lab.stopRepeat(args);
        return {};
      },
    },
    openPanel: {
      interactive: async (node) => {
        const id = node
          ? node.type === 'endpoint'
            ? node.id
            : node.endpointId
          : await pickTarget(ctx, vscode.l10n.t('Open the send panel of'), false);
        if (!id) return undefined;
        ctx.panels.open(id);
        return { id };
      },
      scripted: async (args) => {
        const id = endpointIdArg(lab, args, 'openPanel');
        ctx.panels.open(id);
        return { id };
      },
    },
    restart: {
      interactive: async (node) => {
        const id = node?.id ?? (await pickTarget(ctx, vscode.l10n.t('Restart'), false));
        if (!id) return undefined;
        const info = await lab.restart({ id });
        output.info(`restarted ${id}: ${endpointName(info)}`);
        return info;
      },
      scripted: async (args) => {
        const info = await lab.restart(args);
        output.info(`restarted ${info.id}: ${endpointName(info)}`);
        return info;
      },
    },
    copyAddress: {
      interactive: async (node) => {
        const id = node?.id ?? (await pickTarget(ctx, vscode.l10n.t('Copy the address of'), true));
        if (!id) return undefined;
        const address = addressOf(lab, id);
        await vscode.env.clipboard.writeText(address);
        vscode.window.setStatusBarMessage(vscode.l10n.t('Copied {0}', address), 3000);
        return { address };
      },
      scripted: async (args) => {
        const id = idArg(args, 'copyAddress');
        const address = addressOf(lab, id);
        await vscode.env.clipboard.writeText(address);
        return { address };
      },
    },
    stop: {
      interactive: async (node) => {
        const id = node?.id ?? (await pickTarget(ctx, vscode.l10n.t('Stop'), true));
        if (!id) return undefined;
        lab.stop({ id });
        output.info(`stopped ${id}`);
        return {};
      },
      scripted: async (args) => {
        lab.stop(args);
        output.info(`stopped ${String(args.id)}`);
        return {};
      },
    },
    halfClose: {
      interactive: async (node) => {
        const id = node?.id ?? (await pickHalfClosable(ctx));
        if (!id) return undefined;
        lab.end({ id });
        output.info(`closed the sending side of ${id} (FIN sent)`);
        return {};
      },
      scripted: async (args) => {
        lab.end(args);
        output.info(`closed the sending side of ${String(args.id)} (FIN sent)`);
        return {};
      },
    },
    stopAll: {
      interactive: async () => {
        lab.stopAll();
        output.info('stopped all endpoints');
        return {};
      },
      scripted: async (args) => {
        if (Object.keys(args).length)
          throw SocketLabError.create('unknownField', '{command} takes no fields; pass {}.', {
            field: Object.keys(args)[0],
            command: 'stopAll',
          });
        lab.stopAll();
        output.info('stopped all endpoints');
        return {};
      },
    },
    clearLog: {
      interactive: async (node) => {
        const id = node?.id ?? (await pickTarget(ctx, vscode.l10n.t('Clear the log of'), false));
        if (!id) return undefined;
        lab.clearLog({ id });
        return {};
      },
      scripted: async (args) => {
        lab.clearLog(args);
        return {};
      },
    },
    showOutput: {
      interactive: async () => {
        output.show(true);
        return {};
      },
      scripted: async () => {
        output.show(true);
        return {};
      },
    },
  };

  return Object.entries(specs).map(([name, spec]) =>
    vscode.commands.registerCommand(`socketLab.${name}`, (arg?: unknown) => runCommand(ctx, name, spec, arg)),
  );
}

/** Runs a command in the mode its argument asks for; no exception escapes to VS Code from the interactive mode. */
async function runCommand(ctx: CommandContext, name: string, spec: CommandSpec, arg: unknown): Promise<unknown> {
  if (arg !== undefined && arg !== null && !isSocketNode(arg)) {
    try {
      if (typeof arg !== 'object' || Array.isArray(arg)) {
        throw SocketLabError.create(
          'invalidArgument',
          'socketLab.{command} takes an argument object (see the README), not {value}.',
          { field: 'args', command: name, value: describeValue(arg) },
        );
      }
      return await spec.scripted({ ...(arg as Args) });
    } catch (err) {
      ctx.output.warn(`socketLab.${name} failed: ${describeError(err)}`);
      throw toCallerError(err);
    }
  }
  try {
    return await spec.interactive(isSocketNode(arg) ? arg : undefined);
  } catch (err) {
    const message = describeError(err);
    ctx.output.error(`socketLab.${name} failed: ${message}`);
    void vscode.window.showErrorMessage(message);
    return undefined;
  }
}

/** The modal confirmation for binds that other machines can reach. */
async function confirmExternal(ctx: CommandContext, host: string, port: number | string): Promise<boolean> {
  if (!readSettings().confirmExternalBind) return true;
  if (ctx.confirmExternalBind) return ctx.confirmExternalBind(host, port);
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

function logStarted(ctx: CommandContext, info: EndpointInfo): void {
  ctx.output.info(
    `${info.id}: ${endpointName(info)} ${info.state}${info.local ? ` (local ${formatAddress(info.local)})` : ''}`,
  );
  void ctx.treeView
    .reveal(ctx.tree.nodeFor(info.id) ?? { type: 'endpoint', id: info.id }, { select: true, focus: false })
    .then(undefined, () => undefined);
}

function startCommand(
  ctx: CommandContext,
  command: 'startTcpListener' | 'startUdpListener',
  title: string,
  keyPrefix: string,
): CommandSpec {
  const start = (args: Args) =>
    command === 'startTcpListener' ? ctx.lab.startTcpListener(args) : ctx.lab.startUdpListener(args);
  return {
    interactive: async () => {
      const answer = await askHostAndPort(
        ctx.memory,
        title,
        `${keyPrefix}.listen`,
        { host: readSettings().defaultHost, port: '8880' },
        'listen',
      );
      if (!answer) return undefined;
      // The core refuses external binds unless allowed; the user allows one by confirming it here.
      const external = isExternalBind(answer.host);
      if (external && !(await confirmExternal(ctx, answer.host, answer.port))) return undefined;
      const info = await start({ ...answer, allowExternal: external });
      logStarted(ctx, info);
      return info;
    },
    scripted: async (args) => {
      // The core applies the default host and refuses external binds without allowExternal: true.
      const info = await start(args);
      logStarted(ctx, info);
      return info;
    },
  };
}

function connectCommand(
  ctx: CommandContext,
  command: 'connectTcp' | 'openUdpClient',
  title: string,
  keyPrefix: string,
): CommandSpec {
  const connect = (args: Args) => (command === 'connectTcp' ? ctx.lab.connectTcp(args) : ctx.lab.openUdpClient(args));
  return {
    interactive: async () => {
      const answer = await askHostAndPort(
        ctx.memory,
        title,
        `${keyPrefix}.connect`,
        { host: readSettings().defaultHost, port: '8880' },
        'connect',
      );
      if (!answer) return undefined;
      const args: Args = { ...answer };
      if (command === 'connectTcp') args.timeoutMs = readSettings().connectTimeoutMs;
      const info = await connect(args);
      logStarted(ctx, info);
      return info;
    },
    scripted: async (args) => {
      const full = { ...args };
      if (command === 'connectTcp' && full.timeoutMs === undefined) full.timeoutMs = readSettings().connectTimeoutMs;
      const info = await connect(full);
      logStarted(ctx, info);
      return info;
    },
  };
}

function unixCommand(ctx: CommandContext, command: 'startUnixListener' | 'connectUnix', title: string): CommandSpec {
  const run = (args: Args) => {
    const full =
      typeof args.path === 'string' && args.path !== '' ? { ...args, path: resolveSocketPath(args.path) } : args;
    return command === 'startUnixListener' ? ctx.lab.startUnixListener(full) : ctx.lab.connectUnix(full);
  };
  return {
    interactive: async () => {
      const path = await askUnixPath(ctx.memory, title, `${command}.path`);
      if (path === undefined) return undefined;
      const info = await run({ path });
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

/**
 * A relative Unix socket path is taken relative to the first workspace folder (else the temp folder), not
 * to the extension host's working directory, which users never see. Windows pipe names stay as they are.
 */
function resolveSocketPath(socketPath: string): string {
  if (nodePath.isAbsolute(socketPath) || socketPath.startsWith('\\\\')) return socketPath;
  return nodePath.resolve(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? os.tmpdir(), socketPath);
}

/** The peer a socket last received from, among its newest 256 records (what a reply goes to by default). */
function lastPeerOf(lab: SocketLab, id: string): string | undefined {
  const log = lab.trafficLog(id);
  const recent = log.slice(log.size - 256, log.size);
  for (let i = recent.length - 1; i >= 0; i--) if (recent[i].direction === 'in') return recent[i].peer;
  return undefined;
}

/** A UDP socket that is not connected needs a destination unless the target is one of its peers. */
function needsDestination(lab: SocketLab, target: string): boolean {
  const info = lab.get(target);
  return info !== undefined && info.kind === 'udp' && !info.remote;
}

type PickItem = vscode.QuickPickItem & { id: string };

/** A quick-pick row for an endpoint, and one for a connection (named as the Sockets view and the panel name it). */
const endpointPick = (e: EndpointInfo): PickItem => ({
  label: endpointName(e),
  description: `${e.id} · ${e.state}`,
  id: e.id,
});
const connectionPick = (c: EndpointInfo['connections'][number]): PickItem => ({
  label: `$(arrow-swap) ${connectionLabel(c, true)}`,
  description: c.id,
  id: c.id,
});

/** Shows `items` (or `emptyMessage` when there are none); returns the picked id. */
async function pickFrom(items: PickItem[], title: string, emptyMessage: string): Promise<string | undefined> {
  if (!items.length) {
    void vscode.window.showInformationMessage(emptyMessage);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(items, { title, matchOnDescription: true });
  return picked?.id;
}

/** Asks which endpoint (or, with `withConnections`, which live connection) a command is for. */
async function pickTarget(ctx: CommandContext, title: string, withConnections: boolean): Promise<string | undefined> {
  const items: PickItem[] = [];
  for (const e of ctx.lab.list()) {
    items.push(endpointPick(e));
    if (withConnections) for (const c of e.connections) if (c.state === 'connected') items.push(connectionPick(c));
  }
  return pickFrom(items, title, vscode.l10n.t('No socket is open: start a listener or connect a client first.'));
}

/** Asks which TCP/Unix client or accepted connection to half-close (only those still sending are offered). */
async function pickHalfClosable(ctx: CommandContext): Promise<string | undefined> {
  const items: PickItem[] = [];
  for (const e of ctx.lab.list()) {
    if (isClient(e) && e.kind !== 'udp' && e.state === 'connected' && !e.localEnded) items.push(endpointPick(e));
    if (isListener(e.kind))
      for (const c of e.connections) if (c.state === 'connected' && !c.localEnded) items.push(connectionPick(c));
  }
  return pickFrom(
    items,
    vscode.l10n.t('Close Sending Side (FIN)'),
    vscode.l10n.t('No TCP or Unix connection is sending: there is nothing to half-close.'),
  );
}

function idArg(args: Args, command: string): string {
  for (const key of Object.keys(args)) {
    if (key !== 'id')
      throw SocketLabError.create('unknownField', "{command} has no field '{field}'; its fields are {fields}.", {
        field: key,
        command,
        fields: 'id',
      });
  }
  if (typeof args.id !== 'string' || args.id === '')
    throw SocketLabError.create(
      'invalidArgument',
      'id must be a non-empty string (an endpoint or connection id from list()).',
      { field: 'id' },
    );
  return args.id;
}

function endpointIdArg(lab: SocketLab, args: Args, command: string): string {
  const id = idArg(args, command);
  if (!lab.get(id)) throw SocketLabError.create('unknownId', 'There is no endpoint {id}.', { id, field: 'id' });
  return id;
}

/** 'host:port' of an endpoint (remote for clients, local for listeners) or a connection's remote; Unix path. */
function addressOf(lab: SocketLab, id: string): string {
  for (const e of lab.list()) {
    if (e.id === id) return formatAddress(e.remote ?? e.local);
    const c = e.connections.find((x) => x.id === id);
    if (c) return formatAddress(c.remote);
  }
  throw SocketLabError.create('unknownId', 'There is no endpoint or connection {id}.', { id, field: 'id' });
}
