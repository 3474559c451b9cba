/** The commands that send: a payload (once, repeated, or waiting for the reply), a file, and stopping a repeat. */
import * as vscode from 'vscode';
import { parseCommandArgs } from '../../core/commandArgs';
import type { SocketLab } from '../../core/socketLab';
import type { SendArgs, SendFileArgs } from '../../shared/commandArgs';
import { isClient } from '../../shared/naming';
import { askDestination, askPayload } from '../prompts';
import { readSettings } from '../settings';
import type { CommandContext, CommandHandler } from './commandContext';
import { pickRepeat, pickTarget } from './pickers';

/** The peer a socket last received from, among its newest 256 records (what a reply goes to by default). */
export function lastPeerOf(lab: SocketLab, id: string): string | undefined {
  const log = lab.trafficLog(id);
  const recent = log.slice(log.size - 256, log.size);
  for (let i = recent.length - 1; i >= 0; i--) if (recent[i].direction === 'in') return recent[i].peer;
  return undefined;
}

/** A UDP socket that is not connected needs a destination unless the target is one of its peers. */
export function needsDestination(lab: SocketLab, target: string): boolean {
  const info = lab.get(target);
  return info !== undefined && info.kind === 'udp' && !isClient(info);
}

/** A relay (or one of its connections) needs to be told which side a payload goes to; undefined when cancelled. */
async function askDirection(lab: SocketLab, target: string): Promise<SendArgs['direction'] | null> {
  const endpoint = lab.list().find((e) => e.id === target || e.connections.some((c) => c.id === target));
  if (endpoint?.kind !== 'relay') return null;
  const picked = await vscode.window.showQuickPick(
    [
      { label: vscode.l10n.t('To the server (upstream)'), direction: 'toUpstream' as const },
      { label: vscode.l10n.t('To the client'), direction: 'toClient' as const },
    ],
    { title: vscode.l10n.t('Send'), placeHolder: vscode.l10n.t('Which side the payload goes to') },
  );
  return picked?.direction;
}

/** Send: asks the target, the payload and (for a bound UDP socket) the destination. */
export function sendCommand(ctx: CommandContext): CommandHandler {
  const { lab } = ctx;
  return {
    interactive: async (node) => {
      // A bound UDP socket adds a destination step: while one is open the total is not known before the
      // pick, so the pick is not numbered then rather than numbered wrong.
      const pickStep = node ? 0 : 1;
      const boundUdpOpen = lab.list().some((e) => needsDestination(lab, e.id));
      const target =
        node?.id ??
        (await pickTarget(lab, vscode.l10n.t('Send to'), true, boundUdpOpen ? undefined : { step: 1, totalSteps: 3 }));
      if (!target) return undefined;
      const direction = await askDirection(lab, target);
      if (direction === undefined) return undefined;
      const destination = needsDestination(lab, target);
      const totalSteps = pickStep + 2 + (destination ? 1 : 0);
      const settings = readSettings();
      const payload = await askPayload(
        ctx.memory,
        vscode.l10n.t('Send'),
        {
          format: settings.defaultFormat,
          encoding: settings.defaultEncoding,
          lineEnding: settings.defaultLineEnding,
        },
        { first: pickStep + 1, totalSteps },
      );
      if (!payload) return undefined;
      const args: SendArgs = { target, ...payload };
      if (direction) args.direction = direction;
      if (destination) {
        const to = await askDestination(ctx.memory, vscode.l10n.t('Send'), '127.0.0.1:9000', lastPeerOf(lab, target), {
          step: totalSteps,
          totalSteps,
        });
        if (!to) return undefined;
        args.to = to;
      }
      const result = await lab.send(args);
      vscode.window.setStatusBarMessage(vscode.l10n.t('Socket Lab: sent {0} bytes', result.bytes), 3000);
      return result;
    },
    scripted: (args) => lab.send(parseCommandArgs('send', args)),
  };
}

/** Send File: asks the target, the file and (for a bound UDP socket) the destination. */
export function sendFileCommand(ctx: CommandContext): CommandHandler {
  const { lab } = ctx;
  return {
    interactive: async (node) => {
      const target = node?.id ?? (await pickTarget(lab, vscode.l10n.t('Send a file to'), true));
      if (!target) return undefined;
      const direction = await askDirection(lab, target);
      if (direction === undefined) return undefined;
      const uris = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: vscode.l10n.t('Send') });
      if (!uris?.length) return undefined;
      const args: SendFileArgs = { target, path: uris[0].fsPath };
      if (direction) args.direction = direction;
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
    scripted: (args) => lab.sendFile(parseCommandArgs('sendFile', args)),
  };
}

/** Stop Repeat: asks which running repeat to stop. */
export function stopRepeatCommand(ctx: CommandContext): CommandHandler {
  const { lab } = ctx;
  return {
    interactive: async () => {
      const repeatId = await pickRepeat(lab);
      if (!repeatId) return undefined;
      lab.stopRepeat({ repeatId });
      return {};
    },
    scripted: async (args) => {
      lab.stopRepeat(parseCommandArgs('stopRepeat', args));
      return {};
    },
  };
}
