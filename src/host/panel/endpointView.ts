/** The endpoint and its counters as the send panel shows them (shared/protocol's EndpointView and CountersView). */
import * as vscode from 'vscode';
import type { EndpointInfo } from '../../shared/model';
import { connectionLabel, endpointName as endpointLabel } from '../../shared/naming';
import {
  PANEL_CONNECTIONS_MAX,
  PANEL_GROUPS_MAX,
  PANEL_NAME_MAX_CHARS,
  PANEL_TEXT_MAX_CHARS,
} from '../../shared/limits';
import type { CaptureView, CountersView, EndpointView } from '../../shared/protocol';
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
  const capture = toCaptureView(info);
  if (capture) view.capture = capture;
  if (info.kind === 'udp')
    view.multicast = {
      broadcast: info.broadcast === true,
      groups: (info.multicastGroups ?? []).slice(0, PANEL_GROUPS_MAX),
    };
  const rulesOff = toRulesOffView(info.autoReplyRulesOff, describeInfoError);
  if (rulesOff) view.rulesOff = rulesOff;
  return view;
}

/** The endpoint's capture as the header shows it (undefined while none is set). */
export function toCaptureView(info: EndpointInfo): CaptureView | undefined {
  if (!info.capturePath) return undefined;
  const path = info.capturePath;
  const view: CaptureView = {
    file: (path.split(/[\\/]/).pop() || path).slice(0, PANEL_NAME_MAX_CHARS),
    path: path.slice(0, PANEL_TEXT_MAX_CHARS),
    format: info.captureFormat ?? '',
    bytes: info.captureBytes ?? 0,
    maxBytes: info.captureMaxBytes ?? 0,
  };
  const stopped = info.captureStoppedTemplate
    ? vscode.l10n.t(info.captureStoppedTemplate, info.captureStoppedValues ?? {})
    : info.captureStopped;
  if (stopped) view.stopped = stopped.slice(0, PANEL_TEXT_MAX_CHARS);
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
