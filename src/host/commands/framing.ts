/** Set Framing: how a TCP or Unix endpoint cuts what it receives into records, changed while it runs. */
import * as vscode from 'vscode';
import { parseCommandArgs } from '../../core/commandArgs';
import type { SetFramingArgs } from '../../shared/commandArgs';
import { endpointName } from '../../shared/naming';
import { askFraming } from '../framingPrompt';
import { framingText } from '../labels';
import type { CommandContext, CommandHandler } from './commandContext';
import { pickFramable } from './pickers';

/** `socketLab.setFraming { id, framing }`: asks for the endpoint (or takes the tree's) and the framing. */
export function setFramingCommand(ctx: CommandContext): CommandHandler {
  const set = (args: SetFramingArgs) => {
    const info = ctx.lab.setFraming(args);
    ctx.output.info(`${info.id}: framing ${framingText(info.framing!)}`);
    return info;
  };
  return {
    interactive: async (node) => {
      const id = node?.type === 'endpoint' ? node.id : await pickFramable(ctx.lab);
      const info = id === undefined ? undefined : ctx.lab.get(id);
      if (!info) return undefined;
      const title = vscode.l10n.t('Set Framing of {0}', endpointName(info));
      const framing = await askFraming(ctx.memory, title, 'setFraming', info.framing);
      return framing ? set({ id: info.id, framing }) : undefined;
    },
    scripted: async (args) => set(parseCommandArgs('setFraming', args)),
  };
}
