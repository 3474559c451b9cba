/** The commands that manage what is open: panel, restart, stop, half-close, clear, copy the address, show the log. */
import * as vscode from 'vscode';
import { parseCommandArgs } from '../../core/commandArgs';
import type { SocketLab } from '../../core/socketLab';
import { SocketLabError } from '../../shared/errors';
import { endpointName, formatAddress } from '../../shared/naming';
import type { CommandContext, CommandHandler } from './commandContext';
import { pickHalfClosable, pickTarget } from './pickers';

/** 'host:port' of an endpoint (remote for clients, local for listeners) or a connection's remote; Unix path. */
function addressOf(lab: SocketLab, id: string): string {
  for (const e of lab.list()) {
    if (e.id === id) return formatAddress(e.remote ?? e.local);
    const c = e.connections.find((x) => x.id === id);
    if (c) return formatAddress(c.remote);
  }
  throw SocketLabError.create('unknownId', 'There is no endpoint or connection {id}.', { id, field: 'id' });
}

/** Open Send Panel: of the endpoint clicked, or of the one picked. */
export function openPanelCommand(ctx: CommandContext): CommandHandler {
  return {
    interactive: async (node) => {
      const id = node
        ? node.type === 'endpoint'
          ? node.id
          : node.endpointId
        : await pickTarget(ctx.lab, vscode.l10n.t('Open the send panel of'), false);
      if (!id) return undefined;
      ctx.panels.open(id);
      return { id };
    },
    scripted: async (args) => {
      const { id } = parseCommandArgs('openPanel', args);
      if (!ctx.lab.get(id)) throw SocketLabError.create('unknownId', 'There is no endpoint {id}.', { id, field: 'id' });
      ctx.panels.open(id);
      return { id };
    },
  };
}

/** Restart: closes the endpoint and opens it again with the same settings. */
export function restartCommand(ctx: CommandContext): CommandHandler {
  const restart = async (id: string) => {
    const info = await ctx.lab.restart({ id });
    ctx.output.info(vscode.l10n.t('restarted {0}: {1}', info.id, endpointName(info)));
    return info;
  };
  return {
    interactive: async (node) => {
      const id = node?.id ?? (await pickTarget(ctx.lab, vscode.l10n.t('Restart'), false));
      return id ? restart(id) : undefined;
    },
    scripted: (args) => restart(parseCommandArgs('restart', args).id),
  };
}

/** Copy Address: 'host:port' or the Unix path, to the clipboard. */
export function copyAddressCommand(ctx: CommandContext): CommandHandler {
  return {
    interactive: async (node) => {
      const id = node?.id ?? (await pickTarget(ctx.lab, vscode.l10n.t('Copy the address of'), true));
      if (!id) return undefined;
      const address = addressOf(ctx.lab, id);
      await vscode.env.clipboard.writeText(address);
      vscode.window.setStatusBarMessage(vscode.l10n.t('Copied {0}', address), 3000);
      return { address };
    },
    scripted: async (args) => {
      const address = addressOf(ctx.lab, parseCommandArgs('copyAddress', args).id);
      await vscode.env.clipboard.writeText(address);
      return { address };
    },
  };
}

/** Stop: an endpoint (removed from the view) or one connection or peer. */
export function stopCommand(ctx: CommandContext): CommandHandler {
  const stop = (id: string) => {
    ctx.lab.stop({ id });
    ctx.output.info(vscode.l10n.t('stopped {0}', id));
    return {};
  };
  return {
    interactive: async (node) => {
      const id = node?.id ?? (await pickTarget(ctx.lab, vscode.l10n.t('Stop'), true));
      return id ? stop(id) : undefined;
    },
    scripted: async (args) => stop(parseCommandArgs('stop', args).id),
  };
}

/** Close Sending Side (FIN): half-closes a TCP/Unix client or accepted connection, which can still receive. */
export function halfCloseCommand(ctx: CommandContext): CommandHandler {
  const halfClose = (id: string) => {
    ctx.lab.halfClose({ id });
    ctx.output.info(vscode.l10n.t('closed the sending side of {0} (FIN sent)', id));
    return {};
  };
  return {
    interactive: async (node) => {
      const id = node?.id ?? (await pickHalfClosable(ctx.lab));
      return id ? halfClose(id) : undefined;
    },
    scripted: async (args) => halfClose(parseCommandArgs('halfClose', args).id),
  };
}

/** Stop All: every endpoint and repeat. */
export function stopAllCommand(ctx: CommandContext): CommandHandler {
  const stopAll = () => {
    ctx.lab.stopAll();
    ctx.output.info(vscode.l10n.t('stopped all endpoints'));
    return {};
  };
  return {
    interactive: async () => stopAll(),
    scripted: async (args) => {
      parseCommandArgs('stopAll', args);
      return stopAll();
    },
  };
}

/** Clear Log: forgets the records of an endpoint (its counters stay). */
export function clearLogCommand(ctx: CommandContext): CommandHandler {
  return {
    interactive: async (node) => {
      const id = node?.id ?? (await pickTarget(ctx.lab, vscode.l10n.t('Clear the log of'), false));
      if (!id) return undefined;
      ctx.lab.clearLog({ id });
      return {};
    },
    scripted: async (args) => {
      ctx.lab.clearLog(parseCommandArgs('clearLog', args));
      return {};
    },
  };
}

/** Show Output: the Socket Lab output channel. */
export function showOutputCommand(ctx: CommandContext): CommandHandler {
  const show = async () => {
    ctx.output.show(true);
    return {};
  };
  return { interactive: show, scripted: show };
}
