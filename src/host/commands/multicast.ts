/**
 * Broadcast and multicast on a UDP socket: Join Multicast Group…, Leave Multicast Group…, Toggle Broadcast and
 * Multicast TTL and Loopback…, each asking what it needs when run without an argument.
 */
import * as vscode from 'vscode';
import { parseCommandArgs } from '../../core/commandArgs';
import type { MulticastArgs, MulticastOptionsArgs, SetBroadcastArgs } from '../../shared/commandArgs';
import { isIPv4 } from '../../shared/ipAddress';
import { MULTICAST_TTL_DEFAULT } from '../../shared/limits';
import type { EndpointInfo } from '../../shared/model';
import { checkMulticastGroup, checkMulticastInterface, checkMulticastTtl } from '../../shared/multicast';
import { endpointName } from '../../shared/naming';
import { describeError } from '../errorText';
import { ask, stepTitle } from '../prompts';
import type { SocketNode } from '../socketsTree';
import type { CommandContext, CommandHandler } from './commandContext';
import { pickUdpSocket } from './pickers';

/** The UDP socket a tree click names, or the one the user picks; undefined when cancelled. */
async function udpSocketOf(
  ctx: CommandContext,
  node: SocketNode | undefined,
  title: string,
  accept?: (e: EndpointInfo) => boolean,
  emptyMessage?: string,
): Promise<EndpointInfo | undefined> {
  const id = node?.type === 'endpoint' ? node.id : await pickUdpSocket(ctx.lab, title, accept, emptyMessage);
  return id === undefined ? undefined : ctx.lab.get(id);
}

/** The family of the addresses a UDP socket can join: that of its local address. */
function socketFamily(info: EndpointInfo): 4 | 6 {
  return info.local && 'address' in info.local && !isIPv4(info.local.address) ? 6 : 4;
}

/** What the group prompt says of a value: a refusal of the shared check, or a group of the other family. */
function groupProblem(value: string, family: 4 | 6): string | undefined {
  const error = checkMulticastGroup(value.trim());
  if (error) return describeError(error);
  if ((isIPv4(value.trim()) ? 4 : 6) !== family)
    return family === 4
      ? vscode.l10n.t('This is an IPv4 socket: give an IPv4 group (224.0.0.0 to 239.255.255.255).')
      : vscode.l10n.t('This is an IPv6 socket: give an IPv6 group (ff00::/8).');
  return undefined;
}

/** `socketLab.joinMulticast { id, group, interface? }`: asks for the socket, the group and an optional interface. */
export function joinMulticastCommand(ctx: CommandContext): CommandHandler {
  const join = (args: MulticastArgs) => {
    const info = ctx.lab.joinMulticast(args);
    ctx.output.info(`${info.id}: joined multicast group ${args.group}${args.interface ? ` on ${args.interface}` : ''}`);
    return info;
  };
  return {
    interactive: async (node) => {
      const title = vscode.l10n.t('Join Multicast Group');
      const info = await udpSocketOf(ctx, node, title);
      if (!info) return undefined;
      const family = socketFamily(info);
      const group = await ask({
        memory: ctx.memory,
        key: `multicast.group${family}`,
        fallback: family === 4 ? '239.1.2.3' : 'ff05::1:3',
        title: vscode.l10n.t('Join Multicast Group on {0}', endpointName(info)),
        prompt: vscode.l10n.t('Group address: IPv4 224.0.0.0 to 239.255.255.255, or IPv6 ff00::/8'),
        validate: (value) => groupProblem(value, family),
        step: { step: 1, totalSteps: 2 },
      });
      if (group === undefined) return undefined;
      const iface = await ask({
        memory: ctx.memory,
        key: `multicast.interface${family}`,
        fallback: '',
        title: vscode.l10n.t('Join Multicast Group on {0}', endpointName(info)),
        prompt:
          family === 4
            ? vscode.l10n.t('Interface address (optional, e.g. 127.0.0.1); empty lets the system choose')
            : vscode.l10n.t(
                'Interface as an address with a zone (optional, e.g. ::%eth0); empty lets the system choose',
              ),
        validate: (value) => {
          if (value.trim() === '') return undefined;
          const error = checkMulticastInterface(value.trim(), group.trim());
          return error ? describeError(error) : undefined;
        },
        step: { step: 2, totalSteps: 2 },
      });
      if (iface === undefined) return undefined;
      return join({ id: info.id, group: group.trim(), ...(iface.trim() ? { interface: iface.trim() } : {}) });
    },
    scripted: async (args) => join(parseCommandArgs('joinMulticast', args)),
  };
}

/** `socketLab.leaveMulticast { id, group, interface? }`: asks for the socket and which of its groups to leave. */
export function leaveMulticastCommand(ctx: CommandContext): CommandHandler {
  const leave = (args: MulticastArgs) => {
    const info = ctx.lab.leaveMulticast(args);
    ctx.output.info(`${info.id}: left multicast group ${args.group}`);
    return info;
  };
  return {
    interactive: async (node) => {
      const info = await udpSocketOf(
        ctx,
        node,
        vscode.l10n.t('Leave Multicast Group'),
        (e) => !!e.multicastGroups?.length,
        vscode.l10n.t('No UDP socket has joined a multicast group.'),
      );
      if (!info) return undefined;
      const groups = info.multicastGroups ?? [];
      if (!groups.length) {
        void vscode.window.showInformationMessage(
          vscode.l10n.t('{0} has not joined any multicast group.', endpointName(info)),
        );
        return undefined;
      }
      const group = await vscode.window.showQuickPick(groups, {
        title: vscode.l10n.t('Leave Multicast Group on {0}', endpointName(info)),
      });
      return group === undefined ? undefined : leave({ id: info.id, group });
    },
    scripted: async (args) => leave(parseCommandArgs('leaveMulticast', args)),
  };
}

/** `socketLab.setBroadcast { id, on }`: without an argument, turns the picked socket's broadcast the other way. */
export function setBroadcastCommand(ctx: CommandContext): CommandHandler {
  const set = (args: SetBroadcastArgs) => {
    const info = ctx.lab.setBroadcast(args);
    ctx.output.info(`${info.id}: broadcast ${info.broadcast ? 'on' : 'off'}`);
    return info;
  };
  return {
    interactive: async (node) => {
      const info = await udpSocketOf(ctx, node, vscode.l10n.t('Turn Broadcast On or Off'));
      if (!info) return undefined;
      const changed = set({ id: info.id, on: !info.broadcast });
      void vscode.window.showInformationMessage(
        changed.broadcast
          ? vscode.l10n.t('Broadcast is on for {0}: it may send to broadcast addresses.', endpointName(changed))
          : vscode.l10n.t('Broadcast is off for {0}.', endpointName(changed)),
      );
      return changed;
    },
    scripted: async (args) => set(parseCommandArgs('setBroadcast', args)),
  };
}

/** `socketLab.setMulticastOptions { id, ttl?, loopback? }`: asks for the TTL, then loopback on or off. */
export function setMulticastOptionsCommand(ctx: CommandContext): CommandHandler {
  const set = (args: MulticastOptionsArgs) => {
    const info = ctx.lab.setMulticastOptions(args);
    ctx.output.info(
      `${info.id}: multicast TTL ${info.multicastTtl}, loopback ${info.multicastLoopback ? 'on' : 'off'}`,
    );
    return info;
  };
  return {
    interactive: async (node) => {
      const info = await udpSocketOf(ctx, node, vscode.l10n.t('Multicast TTL and Loopback'));
      if (!info) return undefined;
      const title = vscode.l10n.t('Multicast TTL and Loopback of {0}', endpointName(info));
      const ttl = await ask({
        memory: ctx.memory,
        key: 'multicast.ttl',
        fallback: String(MULTICAST_TTL_DEFAULT),
        preferred: String(info.multicastTtl ?? MULTICAST_TTL_DEFAULT),
        title,
        prompt: vscode.l10n.t(
          'TTL (IPv6: hop limit) of the multicast datagrams it sends: 0 to 255; 1 stays on the local network',
        ),
        validate: (value) => {
          const error = checkMulticastTtl(value);
          return error ? describeError(error) : undefined;
        },
        step: { step: 1, totalSteps: 2 },
      });
      if (ttl === undefined) return undefined;
      const on = vscode.l10n.t('Loopback on');
      const off = vscode.l10n.t('Loopback off');
      const picked = await vscode.window.showQuickPick(
        [
          { label: on, detail: vscode.l10n.t('Members of the group on this machine get what it sends too') },
          { label: off, detail: vscode.l10n.t('Only other machines get what it sends') },
        ],
        {
          title: stepTitle(title, { step: 2, totalSteps: 2 }),
          placeHolder: info.multicastLoopback === false ? off : on,
        },
      );
      if (!picked) return undefined;
      return set({ id: info.id, ttl: Number(ttl), loopback: picked.label === on });
    },
    scripted: async (args) => set(parseCommandArgs('setMulticastOptions', args)),
  };
}
