/** The capture and pcapng commands: Start Capture…, Stop Capture, Export pcapng… (with Open in Wireshark). */
import * as nodePath from 'path';
import * as vscode from 'vscode';
import { parseCommandArgs } from '../../core/commandArgs';
import type { StartCaptureArgs } from '../../shared/commandArgs';
import { isSocketLabError } from '../../shared/errors';
import { CAPTURE_FORMATS, type CaptureFormat } from '../../shared/model';
import { endpointName } from '../../shared/naming';
import { describeError } from '../errorText';
import type { SocketNode } from '../socketsTree';
import { findWireshark, openInWireshark } from '../wireshark';
import { resolveWorkspacePath, workspaceBase } from '../workspacePath';
import type { CommandContext, CommandHandler } from './commandContext';
import { pickTarget } from './pickers';

/** The endpoint a tree node belongs to (a connection's node captures its endpoint). */
function endpointOf(node: SocketNode | undefined): string | undefined {
  return node ? (node.type === 'endpoint' ? node.id : node.endpointId) : undefined;
}

/** The file name offered for an endpoint's capture or export. */
function suggestedName(id: string, format: CaptureFormat): string {
  return `socket-lab-${id.replace(/[^\w.-]/g, '_')}.${format === 'raw' ? 'bin' : format}`;
}

/** Asks which format to capture in; pcapng first (what Wireshark opens). */
async function pickFormat(): Promise<CaptureFormat | undefined> {
  const detail: Record<CaptureFormat, string> = {
    pcapng: vscode.l10n.t('Packets for Wireshark and tshark (headers synthesised)'),
    jsonl: vscode.l10n.t('One JSON object per record: time, direction, peer, connection, data in base64'),
    raw: vscode.l10n.t('The data bytes only, back to back'),
  };
  const order: CaptureFormat[] = ['pcapng', 'jsonl', 'raw'];
  const picked = await vscode.window.showQuickPick(
    order.filter((f) => CAPTURE_FORMATS.includes(f)).map((format) => ({ label: format, detail: detail[format] })),
    { title: vscode.l10n.t('Start Capture: format') },
  );
  return picked?.label as CaptureFormat | undefined;
}

/** Asks for the capture file (a relative path is taken from the workspace folder). */
function askCapturePath(ctx: CommandContext, id: string, format: CaptureFormat): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title: vscode.l10n.t('Start Capture: file'),
    prompt: vscode.l10n.t('File to capture into (relative paths are taken from {0})', workspaceBase()),
    value: ctx.memory.get(`capture.${format}.path`, suggestedName(id, format)),
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() === '' ? vscode.l10n.t('Give the path of the file to write.') : undefined),
  });
}

/** Start Capture…: writes an endpoint's traffic to a file as it flows (pcapng, JSON Lines or raw bytes). */
export function startCaptureCommand(ctx: CommandContext): CommandHandler {
  const start = async (args: StartCaptureArgs) => {
    const info = await ctx.lab.startCapture({ ...args, path: resolveWorkspacePath(args.path) });
    ctx.output.info(`${info.id}: capturing (${info.captureFormat}) to ${info.capturePath}`);
    return info;
  };
  return {
    interactive: async (node) => {
      const id = endpointOf(node) ?? (await pickTarget(ctx.lab, vscode.l10n.t('Start Capture of'), false));
      if (!id) return undefined;
      const format = await pickFormat();
      if (!format) return undefined;
      const path = await askCapturePath(ctx, id, format);
      if (path === undefined) return undefined;
      await ctx.memory.set(`capture.${format}.path`, path);
      try {
        return await start({ id, path, format });
      } catch (err) {
        if (!isSocketLabError(err) || err.code !== 'captureFileExists') throw err;
        // The core never overwrites; the user may add to the file instead.
        const append = vscode.l10n.t('Append');
        const answer = await vscode.window.showWarningMessage(describeError(err), append);
        return answer === append ? start({ id, path, format, append: true }) : undefined;
      }
    },
    scripted: (args) => start(parseCommandArgs('startCapture', args)),
  };
}

/** Stop Capture: closes an endpoint's capture file (the endpoint keeps running). */
export function stopCaptureCommand(ctx: CommandContext): CommandHandler {
  const stop = async (id: string) => {
    const path = ctx.lab.get(id)?.capturePath;
    const info = await ctx.lab.stopCapture({ id });
    if (path) ctx.output.info(`${id}: capture to ${path} stopped`);
    return info;
  };
  return {
    interactive: async (node) => {
      let id = endpointOf(node);
      if (!id) {
        const capturing = ctx.lab.list().filter((e) => e.capturePath);
        if (!capturing.length) {
          void vscode.window.showInformationMessage(vscode.l10n.t('No endpoint is capturing.'));
          return undefined;
        }
        const picked = await vscode.window.showQuickPick(
          capturing.map((e) => ({ label: endpointName(e), description: e.capturePath, id: e.id })),
          { title: vscode.l10n.t('Stop Capture') },
        );
        id = picked?.id;
      }
      return id ? stop(id) : undefined;
    },
    scripted: (args) => stop(parseCommandArgs('stopCapture', args).id),
  };
}

/** Export pcapng…: what the log of an endpoint (or of one connection or peer) still holds, as a pcapng file. */
export function exportPcapngCommand(ctx: CommandContext): CommandHandler {
  const exportTo = async (id: string, path: string) => {
    const result = await ctx.lab.exportPcapng({ id, path });
    ctx.output.info(`${id}: exported ${result.records} records (${result.packets} packets) to ${path}`);
    return { ...result, path };
  };
  return {
    interactive: async (node) => {
      const id = node?.id ?? (await pickTarget(ctx.lab, vscode.l10n.t('Export pcapng of'), true));
      if (!id) return undefined;
      const uri = await vscode.window.showSaveDialog({
        title: vscode.l10n.t('Export pcapng'),
        defaultUri: vscode.Uri.file(nodePath.join(workspaceBase(), suggestedName(id, 'pcapng'))),
        filters: { pcapng: ['pcapng'] },
      });
      if (!uri) return undefined;
      const result = await exportTo(id, uri.fsPath);
      void offerWireshark(result.path, result.packets);
      return result;
    },
    scripted: async (args) => {
      const a = parseCommandArgs('exportPcapng', args);
      return exportTo(a.id, resolveWorkspacePath(a.path));
    },
  };
}

/** Says the export is done; offers Open in Wireshark where `wireshark` is on the PATH. */
async function offerWireshark(path: string, packets: number): Promise<void> {
  const program = findWireshark();
  const open = vscode.l10n.t('Open in Wireshark');
  const message = vscode.l10n.t('Exported {0} packets to {1}.', packets, path);
  const answer = program
    ? await vscode.window.showInformationMessage(message, open)
    : await vscode.window.showInformationMessage(message);
  if (program && answer === open) openInWireshark(program, path);
}
