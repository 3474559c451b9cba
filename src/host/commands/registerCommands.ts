/** Registers every `socketLab.*` command and runs it in the mode its argument asks for. */
import * as vscode from 'vscode';
import { SocketLabError, isSocketLabError } from '../../shared/errors';
import { describeValue } from '../../shared/payload';
import { describeError, toCallerError } from '../errorText';
import { isSocketNode } from '../socketsTree';
import { exportPcapngCommand, startCaptureCommand, stopCaptureCommand } from './capture';
import type { CommandContext, CommandHandler } from './commandContext';
import {
  clearLogCommand,
  copyAddressCommand,
  halfCloseCommand,
  openPanelCommand,
  restartCommand,
  showOutputCommand,
  stopAllCommand,
  stopCommand,
} from './manage';
import { setFramingCommand } from './framing';
import {
  joinMulticastCommand,
  leaveMulticastCommand,
  setBroadcastCommand,
  setMulticastOptionsCommand,
} from './multicast';
import { connectCommand, startListenerCommand, unixCommand } from './open';
import { runRequestFileCommand } from './requestFiles';
import { connectTlsCommand, copyCaPathCommand, startRelayCommand, startTlsListenerCommand } from './openTls';
import { sendCommand, sendFileCommand, stopRepeatCommand } from './send';
import { parseCommandArgs } from '../../core/commandArgs';

export type { CommandContext, PanelOpener } from './commandContext';

/** Registers every Socket Lab command; returns their disposables. */
export function registerCommands(ctx: CommandContext): vscode.Disposable[] {
  const handlers: Record<string, CommandHandler> = {
    startTcpListener: startListenerCommand(ctx, 'startTcpListener', vscode.l10n.t('Start TCP Listener'), 'tcp'),
    startUdpListener: startListenerCommand(ctx, 'startUdpListener', vscode.l10n.t('Start UDP Listener'), 'udp'),
    connectTcp: connectCommand(ctx, 'connectTcp', vscode.l10n.t('Connect TCP Client'), 'tcp'),
    openUdpClient: connectCommand(ctx, 'openUdpClient', vscode.l10n.t('Open UDP Client'), 'udp'),
    startUnixListener: unixCommand(ctx, 'startUnixListener', vscode.l10n.t('Start Unix Socket Listener')),
    connectUnix: unixCommand(ctx, 'connectUnix', vscode.l10n.t('Connect Unix Socket Client')),
    startTlsListener: startTlsListenerCommand(ctx),
    connectTls: connectTlsCommand(ctx),
    startRelay: startRelayCommand(ctx),
    copyCaPath: copyCaPathCommand(ctx),
    send: sendCommand(ctx),
    sendFile: sendFileCommand(ctx),
    stopRepeat: stopRepeatCommand(ctx),
    runRequestFile: runRequestFileCommand(ctx),
    openPanel: openPanelCommand(ctx),
    restart: restartCommand(ctx),
    copyAddress: copyAddressCommand(ctx),
    stop: stopCommand(ctx),
    halfClose: halfCloseCommand(ctx),
    setFraming: setFramingCommand(ctx),
    stopAll: stopAllCommand(ctx),
    clearLog: clearLogCommand(ctx),
    showOutput: showOutputCommand(ctx),
    startCapture: startCaptureCommand(ctx),
    stopCapture: stopCaptureCommand(ctx),
    exportPcapng: exportPcapngCommand(ctx),
    joinMulticast: joinMulticastCommand(ctx),
    leaveMulticast: leaveMulticastCommand(ctx),
    setBroadcast: setBroadcastCommand(ctx),
    setMulticastOptions: setMulticastOptionsCommand(ctx),
    listSystemPorts: {
      interactive: async () => {
        await vscode.commands.executeCommand('socketLab.systemPorts.focus');
        return vscode.commands.executeCommand('socketLab.refreshSystemPorts');
      },
      scripted: async (args) => {
        parseCommandArgs('listSystemPorts', args);
        return ctx.lab.listSystemPorts();
      },
    },
  };
  return Object.entries(handlers).map(([name, handler]) =>
    vscode.commands.registerCommand(`socketLab.${name}`, (arg?: unknown) => runCommand(ctx, name, handler, arg)),
  );
}

/** Runs a command in the mode its argument asks for; no exception escapes to VS Code from the interactive mode. */
async function runCommand(ctx: CommandContext, name: string, handler: CommandHandler, arg: unknown): Promise<unknown> {
  if (arg !== undefined && arg !== null && !isSocketNode(arg)) {
    try {
      if (typeof arg !== 'object' || Array.isArray(arg)) {
        throw SocketLabError.create(
          'invalidArgument',
          'socketLab.{command} takes an argument object (see the README), not {value}.',
          { field: 'args', command: name, value: describeValue(arg) },
        );
      }
      return await handler.scripted({ ...arg });
    } catch (err) {
      ctx.output.warn(vscode.l10n.t('socketLab.{0} failed: {1}', name, describeError(err)));
      throw toCallerError(err);
    }
  }
  try {
    return await handler.interactive(isSocketNode(arg) ? arg : undefined);
  } catch (err) {
    const message = describeError(err);
    ctx.output.error(vscode.l10n.t('socketLab.{0} failed: {1}', name, message));
    void showErrorWithReveal(ctx, message, err);
    return undefined;
  }
}

/** Shows a failure; when it names one of Socket Lab's own endpoints (the port it holds), offers to reveal it. */
async function showErrorWithReveal(ctx: CommandContext, message: string, err: unknown): Promise<void> {
  const endpointId = isSocketLabError(err) ? err.values.endpointId : undefined;
  if (typeof endpointId !== 'string' || !ctx.lab.get(endpointId)) {
    await vscode.window.showErrorMessage(message);
    return;
  }
  const reveal = vscode.l10n.t('Reveal');
  if ((await vscode.window.showErrorMessage(message, reveal)) !== reveal) return;
  const node = ctx.tree.nodeFor(endpointId);
  if (node) await ctx.treeView.reveal(node, { select: true, focus: true }).then(undefined, () => undefined);
}
