// The groups `npm run mutate` runs one at a time: the sources to mutate and the unit spec files that test them.
// A group runs only its own specs, so a dry run takes seconds, not the whole unit suite; per-test coverage then
// runs only the tests that reach each mutant. Left out on purpose: netns (needs root and network namespaces),
// integrityAndLoad (load and soak loops: minutes per run, and their timing would turn mutants into timeouts),
// interop and cli (they spawn other programs or the bundled dist/cli.js, which the sandbox does not rebuild).

/** Each group: name, globs to mutate (relative to the repo), unit spec basenames (without .test.ts). */
export const mutationGroups = [
  { name: 'codec', mutate: ['src/core/codec.ts', 'src/core/hexAndBase64.ts'], specs: ['codec', 'display', 'security'] },
  {
    name: 'validation',
    mutate: [
      'src/shared/validate.ts',
      'src/shared/ipAddress.ts',
      'src/shared/commandArgs.ts',
      'src/core/commandArgs.ts',
      'src/shared/valueWords.ts',
    ],
    specs: ['validate', 'validateEdges', 'commandArgs', 'badInput', 'naming', 'panelComposer'],
  },
  {
    name: 'trafficLog',
    mutate: ['src/core/trafficLog.ts', 'src/core/capture.ts', 'src/core/event.ts'],
    specs: ['logAndEvents', 'trafficLogEdges', 'captureWriter', 'protocol'],
  },
  { name: 'autoReply', mutate: ['src/core/autoReply.ts'], specs: ['autoReply', 'panelRules', 'tcp'] },
  {
    name: 'framing',
    mutate: ['src/core/framing/**/*.ts', 'src/shared/framing.ts', 'src/shared/framingShorthand.ts'],
    specs: ['framingDeframer', 'framingSpec', 'framingPeers'],
  },
  {
    name: 'requestFileParser',
    mutate: ['src/shared/requestFile/**/*.ts'],
    specs: [
      'requestFileParser',
      'requestFileVariables',
      'requestFileRoundTrip',
      'requestFileDiagnose',
      'requestFileEditor',
    ],
  },
  {
    name: 'requestFileRunner',
    mutate: ['src/core/requestFile/**/*.ts'],
    // requestFileEditor holds the tests of sendLine.ts (a line's bytes for the CodeLens send); requestFileParts
    // those of the transcript, the inbox and the block connection on their own.
    specs: [
      'requestFileRunner',
      'requestFileExpect',
      'requestFileParts',
      'requestFileDiagnose',
      'requestFileVariables',
      'requestFileEditor',
    ],
  },
  { name: 'checksum', mutate: ['src/shared/checksum.ts'], specs: ['checksum', 'requestFileRoundTrip'] },
  {
    name: 'sharedWords',
    mutate: [
      'src/shared/naming.ts',
      'src/shared/display.ts',
      'src/shared/throttle.ts',
      'src/shared/errors.ts',
      'src/shared/payload.ts',
      'src/shared/protocol.ts',
      'src/shared/tls.ts',
    ],
    specs: ['naming', 'display', 'throttle', 'protocol', 'l10n', 'panelTraffic'],
  },
  // The socket layer in four parts, so that each finishes on a 2-core machine (2,455 mutants as one group).
  {
    name: 'streams',
    mutate: [
      'src/core/endpoints/streamClient.ts',
      'src/core/endpoints/streamEndpoint.ts',
      'src/core/endpoints/streamListener.ts',
      'src/core/endpoints/connection.ts',
      'src/core/endpoints/unixSocketFile.ts',
    ],
    // Framing, send extras, capture files and TLS run through the same stream code as plain TCP.
    specs: [
      'tcp',
      'unix',
      'faults',
      'security',
      'reopen',
      'framingEndpoints',
      'sendExtras',
      'captureFiles',
      'tlsEndpoints',
      'unixSocketFile',
      'streamClient',
      'streamListener',
      'streamEndpoint',
    ],
  },
  { name: 'udp', mutate: ['src/core/endpoints/udpSocket.ts'], specs: ['udp', 'multicast', 'faults'] },
  {
    name: 'endpoints',
    mutate: [
      'src/core/socketLab.ts',
      'src/core/endpointFactory.ts',
      'src/core/endpoints/endpoint.ts',
      'src/core/endpoints/relayEndpoint.ts',
      'src/core/endpoints/replyCollector.ts',
      'src/core/lifecycle.ts',
    ],
    // The base endpoint holds send-and-wait, framing, capture and the rules-off report: their specs run too.
    specs: [
      'tcp',
      'udp',
      'unix',
      'lifecycle',
      'relayEndpoint',
      'replyCollector',
      'reopen',
      'autoReply',
      'l10n',
      'framingEndpoints',
      'sendExtras',
      'captureFiles',
      'faults',
      'socketLabRegistry',
      'endpointBase',
      'sendAndWait',
      'endpointFactory',
      'disposables',
    ],
  },
  {
    name: 'sending',
    mutate: ['src/core/sending.ts', 'src/core/repeat.ts', 'src/core/systemErrors.ts'],
    // systemErrors holds the table of every errno to its exact sentence; logAndEvents has a few more.
    specs: [
      'sendExtras',
      'sendFileKinds',
      'repeatSend',
      'tcp',
      'udp',
      'unix',
      'faults',
      'l10n',
      'logAndEvents',
      'systemErrors',
    ],
  },
  {
    // The rest of src/core, so that the groups together cover all of it (index.ts only re-exports).
    name: 'coreRest',
    mutate: [
      'src/core/captureFile.ts',
      'src/core/composePayload.ts',
      'src/core/linearRegex.ts',
      'src/core/regexBudget.ts',
      'src/core/endpointEntry.ts',
      'src/core/udpSettings.ts',
      'src/core/portInUse.ts',
      'src/core/resolveHost.ts',
      'src/core/socketLabOptions.ts',
    ],
    specs: ['captureFiles', 'sendExtras', 'autoReply', 'autoReplyBudget', 'tcp', 'udp', 'reopen'],
  },
  {
    name: 'pcap',
    mutate: ['src/core/pcap/**/*.ts', 'src/core/ipAddressBytes.ts'],
    specs: ['pcapng', 'pcapngCapture', 'pcapngParts', 'pcapngBytes', 'pcapngExport', 'pcapngEncoder'],
  },
  {
    name: 'tls',
    mutate: ['src/core/tls/**/*.ts'],
    specs: [
      'tlsCertificates',
      'tlsSetup',
      'tlsErrors',
      'keylog',
      'tlsInterop',
      'tlsEndpoints',
      'tlsFraming',
      'relayTls',
      'relayTlsForwarding',
      'tlsClientHello',
      'tlsHandshakes',
      'tlsSessionInfo',
      'tlsPemFiles',
      'tlsGeneratedNames',
    ],
  },
  {
    name: 'relay',
    mutate: ['src/core/relay/**/*.ts'],
    specs: ['relay', 'relayTls', 'udpRelay', 'relayEndpoint', 'relayTlsForwarding', 'relayPairs'],
  },
  {
    name: 'ports',
    mutate: ['src/core/ports/**/*.ts'],
    specs: ['systemPorts', 'systemPortsEdgeCases', 'systemPortsMatching'],
  },
];

/** The group named `name`, or an error listing the names. */
export function mutationGroup(name) {
  const group = mutationGroups.find((g) => g.name === name);
  if (!group) throw new Error(`unknown mutation group ${name} (${mutationGroups.map((g) => g.name).join(', ')})`);
  return group;
}
