/** How the Sockets view says a UDP socket's broadcast flag, multicast groups, TTL and loopback. */
import * as vscode from 'vscode';
import { MULTICAST_TTL_DEFAULT } from '../shared/limits';
import type { EndpointInfo } from '../shared/model';

/** Groups named in a row's description before the rest is counted ('239.1.2.3, 239.1.2.4 +3'). */
const GROUPS_IN_DESCRIPTION = 2;

/** The short words for a UDP row's description: 'broadcast', 'groups: 239.1.2.3 +1'; none for other kinds. */
export function multicastDescription(info: EndpointInfo): string[] {
  if (info.kind !== 'udp') return [];
  const words: string[] = [];
  if (info.broadcast) words.push(vscode.l10n.t('broadcast'));
  const groups = info.multicastGroups ?? [];
  if (groups.length) {
    const shown = groups.slice(0, GROUPS_IN_DESCRIPTION).join(', ');
    const more = groups.length - GROUPS_IN_DESCRIPTION;
    words.push(more > 0 ? vscode.l10n.t('groups: {0} +{1}', shown, more) : vscode.l10n.t('groups: {0}', shown));
  }
  return words;
}

/** The tooltip lines of a UDP socket: broadcast, each group joined, TTL and loopback when not the defaults. */
export function multicastTooltipLines(info: EndpointInfo, escape: (text: string) => string): string[] {
  if (info.kind !== 'udp') return [];
  const lines = [escape(info.broadcast ? vscode.l10n.t('Broadcast: on') : vscode.l10n.t('Broadcast: off'))];
  const groups = info.multicastGroups ?? [];
  if (groups.length)
    lines.push(`${escape(vscode.l10n.t('Multicast groups joined'))}: ${groups.map((g) => `\`${g}\``).join(', ')}`);
  if (groups.length || info.multicastTtl !== MULTICAST_TTL_DEFAULT || info.multicastLoopback === false)
    lines.push(
      escape(
        info.multicastLoopback === false
          ? vscode.l10n.t('Multicast TTL {0}, loopback off', info.multicastTtl ?? MULTICAST_TTL_DEFAULT)
          : vscode.l10n.t('Multicast TTL {0}, loopback on', info.multicastTtl ?? MULTICAST_TTL_DEFAULT),
      ),
    );
  return lines;
}

/** What a screen reader adds for a UDP socket: 'broadcast on', 'member of 2 multicast groups'. */
export function multicastAccessibleWords(info: EndpointInfo): string[] {
  if (info.kind !== 'udp') return [];
  const words: string[] = [];
  if (info.broadcast) words.push(vscode.l10n.t('broadcast on'));
  const count = info.multicastGroups?.length ?? 0;
  if (count === 1) words.push(vscode.l10n.t('member of multicast group {0}', info.multicastGroups![0]));
  else if (count > 1) words.push(vscode.l10n.t('member of {0} multicast groups', count));
  return words;
}
