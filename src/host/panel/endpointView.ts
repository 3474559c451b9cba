/** The endpoint and its counters as the send panel shows them (shared/protocol's EndpointView and CountersView). */
import type { EndpointInfo } from '../../shared/model';
import { connectionLabel, endpointName as endpointLabel } from '../../shared/naming';
import {
  PANEL_CONNECTIONS_MAX,
  PANEL_GROUPS_MAX,
  PANEL_NAME_MAX_CHARS,
  PANEL_TEXT_MAX_CHARS,
} from '../../shared/limits';
import type { CountersView, EndpointView } from '../../shared/protocol';
import { describeInfoError } from '../errorText';
import { framingText, stateText } from '../labels';
import type { Rates } from './rateWindow';
import { toRulesOffView } from './rulesOffView';

/** The endpoint as the panel shows it; `lastPeer` is the UDP peer an empty Destination sends to. */
export function toEndpointView(info: EndpointInfo, lastPeer: string | undefined): EndpointView {
  const view: EndpointView = {
    id: info.id,
    kind: info.kind,
    label: endpointLabel(info),
    state: info.state,
    stateText: stateText(info.state),
    connections: info.connections.slice(0, PANEL_CONNECTIONS_MAX).map((c) => ({
      id: c.id,
      label: connectionLabel(c, true).slice(0, PANEL_NAME_MAX_CHARS),
      state: c.state,
    })),
    needsDestination: info.kind === 'udp' && !info.remote,
    autoReply: info.autoReply === true,
  };
  const error = describeInfoError(info);
  if (error) view.error = error.slice(0, PANEL_TEXT_MAX_CHARS);
  if (lastPeer) view.lastPeer = lastPeer;
  if (info.framing && info.kind !== 'udp') view.framing = framingText(info.framing).slice(0, PANEL_NAME_MAX_CHARS);
  if (info.kind === 'udp')
    view.multicast = {
      broadcast: info.broadcast === true,
      groups: (info.multicastGroups ?? []).slice(0, PANEL_GROUPS_MAX),
    };
  const rulesOff = toRulesOffView(info.autoReplyRulesOff, describeInfoError);
  if (rulesOff) view.rulesOff = rulesOff;
  return view;
}

/** The counters line of the panel: totals from the endpoint, rates from the panel's window, the log's cap. */
export function toCountersView(info: EndpointInfo, rates: Rates, capBytes: number): CountersView {
  return {
    bytesIn: info.bytesIn,
    bytesOut: info.bytesOut,
    messagesIn: info.messagesIn,
    messagesOut: info.messagesOut,
    ...rates,
    dropped: info.dropped,
    capBytes,
  };
}
