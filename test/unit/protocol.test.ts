import * as assert from 'assert';
import * as crypto from 'crypto';
import fc from 'fast-check';
import { parse } from 'parse5';
import { buildPanelHtml, panelCsp } from '../../src/host/panel/html';
import { TrafficFeed, toRecordView } from '../../src/host/panel/trafficFeed';
import { RECORD_OVERHEAD_BYTES, TrafficLog } from '../../src/core/trafficLog';
import type { TrafficRecord } from '../../src/shared/model';
import {
  parseHostMessage,
  parsePanelState,
  parseResult,
  parseWebviewMessage,
  ResultSchemas,
  type HostMessage,
  type RequestType,
  type WebviewMessage,
} from '../../src/shared/protocol';
import { toRulesOffView } from '../../src/host/panel/rulesOffView';
import {
  AUTO_REPLY_RULES_MAX,
  BATCH_MAX_RECORDS,
  PANEL_TEXT_MAX_CHARS,
  PREVIEW_MAX_BYTES,
} from '../../src/shared/limits';
import { SocketLabError } from '../../src/shared/errors';

const sendMessage = {
  type: 'send',
  id: 1,
  target: 'e1',
  data: '48 65',
  format: 'hex',
  encoding: 'utf8',
  escapes: true,
  lineEnding: 'none',
};

/** One valid message of every webview type. */
const validWebview: WebviewMessage[] = [
  { type: 'ready' },
  sendMessage as WebviewMessage,
  {
    ...sendMessage,
    id: 2,
    to: { host: '127.0.0.1', port: 9000 },
    repeat: { intervalMs: 100, count: 5 },
  } as WebviewMessage,
  { type: 'sendFile', id: 3, target: 'e1.c1' },
  { type: 'stopRepeat', id: 4, repeatId: 'r1' },
  { type: 'setAutoReply', id: 5, spec: { mode: 'echo' } },
  { type: 'setAutoReply', id: 6, spec: { mode: 'fixed', data: '我是返回的数据' } },
  { type: 'setAutoReply', id: 7, spec: { mode: 'rules', rules: [{ contains: 'ping', reply: { data: 'pong' } }] } },
  { type: 'clear', id: 8 },
  { type: 'setFraming', id: 80 },
  { type: 'startCapture', id: 81 },
  { type: 'stopCapture', id: 82 },
  { type: 'export', id: 9, format: 'jsonl' },
  { type: 'export', id: 83, format: 'text', encoding: 'gbk' },
  { type: 'fetchOlder', id: 10, epoch: 1, after: 0, before: 500, limit: 500 },
  { type: 'fetchRecord', id: 11, epoch: 1, seq: 3 },
  { type: 'copy', id: 12, epoch: 1, seq: 3, as: 'hex', encoding: 'utf8' },
  { type: 'validate', id: 13, data: 'hi\\n', format: 'text', encoding: 'gbk', escapes: true, lineEnding: 'crlf' },
  { type: 'copyText', id: 15, text: '68 69' },
  { type: 'convert', id: 14, data: '68 69', format: 'hex', encoding: 'gbk', into: 'text' },
  { type: 'multicast', id: 15, change: { op: 'join', group: '239.1.2.3', interface: '127.0.0.1' } },
  { type: 'multicast', id: 16, change: { op: 'leave', group: 'ff05::1:3' } },
  { type: 'multicast', id: 17, change: { op: 'broadcast', on: true } },
  {
    type: 'validate',
    id: 16,
    data: '01 03',
    format: 'hex',
    checksum: 'crc16-modbus',
    checksumEndian: 'be',
    variables: true,
  },
  { type: 'saveToRequestFile', id: 17, data: 'ping {{$counter}}', format: 'text', variables: true },
  { type: 'saveToRequestFile', id: 18, data: '01', format: 'hex', to: { host: '::1', port: 9000 } },
];

const record = { seq: 0, time: 1, dir: 'in', peer: '127.0.0.1:5', length: 2, preview: new Uint8Array([1, 2]) };
const countersView = {
  bytesIn: 2,
  bytesOut: 0,
  messagesIn: 1,
  messagesOut: 0,
  bytesInRate: 2,
  bytesOutRate: 0,
  messagesInRate: 1,
  messagesOutRate: 0,
  dropped: 0,
  capBytes: 8388608,
};
const endpointView = {
  id: 'e1',
  kind: 'tcp-listener',
  label: 'TCP 127.0.0.1:1',
  state: 'listening',
  stateText: 'listening',
  connections: [{ id: 'e1.c1', label: '127.0.0.1:5', state: 'connected' }],
  needsDestination: false,
  autoReply: false,
};

const validHost: HostMessage[] = [
  {
    type: 'init',
    endpointId: 'e1',
    label: 'TCP 127.0.0.1:1',
    endpoint: endpointView,
    strings: { send: 'Send' },
    encodings: ['utf8'],
    defaults: { format: 'text', encoding: 'utf8', lineEnding: 'none' },
  } as HostMessage,
  {
    type: 'init',
    endpointId: 'e1#gone',
    label: 'TCP',
    endpoint: null,
    strings: {},
    encodings: [],
    defaults: { format: 'hex', encoding: 'gbk', lineEnding: 'lf' },
  },
  { type: 'endpoint', endpoint: null },
  { type: 'endpoint', endpoint: { ...endpointView, framing: 'line (any)' } } as HostMessage,
  { type: 'traffic', epoch: 1, records: [record], skipped: 5, counters: countersView } as HostMessage,
  { type: 'reset', epoch: 2, records: [], counters: countersView },
  { type: 'repeat', repeatId: 'r1', running: false, sent: 5, error: 'boom' },
  { type: 'response', id: 1, ok: true, result: { bytes: 7 } },
  { type: 'response', id: 1, ok: false, error: 'Hex payload has an odd number of digits' },
];

describe('send panel protocol', () => {
  it('accepts one valid message of every type, in both directions', () => {
    for (const m of validWebview) assert.ok(parseWebviewMessage(m).ok, JSON.stringify(m));
    for (const m of validHost) {
      const r = parseHostMessage(m);
      assert.ok(r.ok, `${m.type}: ${r.ok ? '' : r.error}`);
    }
  });

  it('refuses bad webview messages with a reason and the request id to answer', () => {
    const cases: [unknown, RegExp, number | undefined][] = [
      [{ type: 'nope', id: 3 }, /type/i, 3],
      [{ ...sendMessage, format: 'octal' }, /format/, 1],
      [{ ...sendMessage, extra: 1 }, /extra/, 1],
      [{ ...sendMessage, id: -1 }, /id/, undefined],
      [{ ...sendMessage, data: 5 }, /data/, 1],
      [{ ...sendMessage, to: { host: 'h', port: 70000 } }, /port/, 1],
      [{ ...sendMessage, repeat: { intervalMs: -1 } }, /intervalMs/, 1],
      [{ ...sendMessage, checksum: 'crc8' }, /checksum/, 1],
      [{ ...sendMessage, checksum: 'crc32', checksumEndian: 'middle' }, /checksumEndian/, 1],
      [{ type: 'saveToRequestFile', id: 6, data: 'x', format: 'text', target: 'e1' }, /target/, 6],
      [{ type: 'fetchOlder', id: 4, epoch: 0, after: 0, before: 10, limit: 1e6 }, /limit/, 4],
      [{ type: 'setAutoReply', id: 5, spec: { mode: 'rules', rules: 'x' } }, /rules/, 5],
      [{ type: 'ready', id: 9 }, /id/, 9],
      [null, /./, undefined],
      ['ready', /./, undefined],
      [[{ type: 'ready' }], /./, undefined],
    ];
    for (const [input, reason, id] of cases) {
      const r = parseWebviewMessage(input);
      assert.strictEqual(r.ok, false, JSON.stringify(input));
      if (!r.ok) {
        assert.match(r.error, reason, JSON.stringify(input));
        assert.strictEqual(r.id, id, JSON.stringify(input));
      }
    }
  });

  it('refuses host messages whose preview is larger than the limit or whose batch is too big', () => {
    const big = { ...record, preview: new Uint8Array(PREVIEW_MAX_BYTES + 1) };
    assert.strictEqual(
      parseHostMessage({ type: 'traffic', epoch: 1, records: [big], skipped: 0, counters: countersView }).ok,
      false,
    );
    const many = Array.from({ length: BATCH_MAX_RECORDS + 1 }, (_, seq) => ({ ...record, seq }));
    assert.strictEqual(
      parseHostMessage({ type: 'traffic', epoch: 1, records: many, skipped: 0, counters: countersView }).ok,
      false,
    );
    assert.strictEqual(
      parseHostMessage({
        type: 'traffic',
        epoch: 1,
        records: [{ ...record, preview: 'AAEC' }],
        skipped: 0,
        counters: countersView,
      }).ok,
      false,
    );
  });

  it('carries the switched-off auto-reply rules on the endpoint view: index and the host sentence, bounded', () => {
    // A rule-off entry as EndpointInfo carries it: the core's error, its template and values.
    const err = SocketLabError.create(
      'autoReplyRuleOff',
      '{field} took longer than {limit} ms on {count} messages and is switched off; simplify the pattern and set the auto-reply again.',
      { field: 'autoReply.rules[1].regex', rule: 1, reason: 'strikes', limit: 20, count: 3 },
    );
    const off = {
      rule: 1,
      errorCode: err.code,
      error: err.message,
      errorTemplate: err.template,
      errorValues: err.values,
    };
    // The host's translator gets the template and values; the English sentence is the fallback.
    const seen: unknown[] = [];
    const views = toRulesOffView([off], (o) => {
      seen.push([o.errorTemplate, o.errorValues]);
      return `«${o.errorValues!.field}»`;
    });
    assert.deepStrictEqual(views, [{ rule: 1, text: '«autoReply.rules[1].regex»' }]);
    assert.deepStrictEqual(seen, [[err.template, err.values]]);
    assert.deepStrictEqual(
      toRulesOffView([off], () => undefined),
      [{ rule: 1, text: err.message }],
    );
    assert.match(err.message, /^autoReply\.rules\[1\]\.regex took longer than 20 ms on 3 messages/);
    // Nothing off: no field at all (the view stays as it was before rules could be switched off).
    assert.strictEqual(
      toRulesOffView(undefined, () => 'x'),
      undefined,
    );
    assert.strictEqual(
      toRulesOffView([], () => 'x'),
      undefined,
    );
    // Bounded as the protocol allows: the sentence cut to PANEL_TEXT_MAX_CHARS, an index past the rules dropped.
    const long = toRulesOffView([off, { ...off, rule: AUTO_REPLY_RULES_MAX }], () =>
      'y'.repeat(PANEL_TEXT_MAX_CHARS + 9),
    );
    assert.deepStrictEqual(long, [{ rule: 1, text: 'y'.repeat(PANEL_TEXT_MAX_CHARS) }]);

    const withOff = { type: 'endpoint', endpoint: { ...endpointView, autoReply: true, rulesOff: views } };
    assert.ok(parseHostMessage(withOff).ok);
    assert.ok(parseHostMessage({ ...withOff, endpoint: { ...withOff.endpoint, rulesOff: long } }).ok);
    const bad = (rulesOff: unknown) => parseHostMessage({ type: 'endpoint', endpoint: { ...endpointView, rulesOff } });
    assert.strictEqual(bad([{ rule: -1, text: 'x' }]).ok, false);
    assert.strictEqual(bad([{ rule: AUTO_REPLY_RULES_MAX, text: 'x' }]).ok, false);
    assert.strictEqual(bad([{ rule: 0, text: 'x'.repeat(PANEL_TEXT_MAX_CHARS + 1) }]).ok, false);
    assert.strictEqual(bad([{ rule: 0, text: 'x', extra: 1 }]).ok, false);
    assert.strictEqual(bad(Array.from({ length: AUTO_REPLY_RULES_MAX + 1 }, () => ({ rule: 0, text: 'x' }))).ok, false);
  });

  it('rejects 10,000 fuzzed inbound messages cleanly, without throwing', () => {
    const types = [
      'ready',
      'send',
      'sendFile',
      'stopRepeat',
      'setAutoReply',
      'clear',
      'export',
      'fetchOlder',
      'fetchRecord',
      'copy',
      'validate',
      'init',
      'traffic',
      'response',
      '__proto__',
      'constructor',
    ];
    // Near misses (a real type with random fields) and anything at all.
    const nearMiss = fc
      .record({
        type: fc.constantFrom(...types),
        id: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(undefined)),
      })
      .chain((base) =>
        fc
          .dictionary(
            fc.oneof(
              fc.constantFrom(
                'target',
                'data',
                'format',
                'encoding',
                'escapes',
                'lineEnding',
                'to',
                'repeat',
                'spec',
                'epoch',
                'seq',
                'before',
                'after',
                'limit',
                'as',
                'repeatId',
              ),
              fc.string(),
            ),
            fc.anything({
              withTypedArray: true,
              withMap: true,
              withSet: true,
              withBigInt: true,
              withNullPrototype: true,
            }),
          )
          .map((extra) => ({ ...extra, ...base })),
      );
    let accepted = 0;
    fc.assert(
      fc.property(
        fc.oneof(
          nearMiss,
          fc.anything({ withTypedArray: true, withBigInt: true, withNullPrototype: true, withObjectString: true }),
        ),
        (input) => {
          const w = parseWebviewMessage(input);
          const h = parseHostMessage(input);
          for (const r of [w, h]) {
            if (r.ok) accepted++;
            else assert.strictEqual(typeof r.error, 'string');
          }
          // Whatever was accepted is exactly a valid message (re-parsing the output is still ok).
          if (w.ok) assert.ok(parseWebviewMessage(w.message).ok);
        },
      ),
      { numRuns: 10000, seed: 5 },
    );
    // A 'ready' or a 'clear' with a good id can come out of the generator; nothing else should.
    assert.ok(accepted < 200, `accepted ${accepted}`);
  });

  it('never throws on hostile objects (throwing getters, proxies)', () => {
    const hostile = [
      Object.defineProperty({}, 'type', {
        get: () => {
          throw new Error('boom');
        },
        enumerable: true,
      }),
      new Proxy(
        {},
        {
          get: () => {
            throw new Error('trap');
          },
          ownKeys: () => {
            throw new Error('trap');
          },
        },
      ),
      Object.defineProperty({ type: 'clear' }, 'id', {
        get: () => {
          throw new Error('boom');
        },
        enumerable: true,
      }),
    ];
    for (const h of hostile) {
      const r = parseWebviewMessage(h);
      assert.strictEqual(r.ok, false);
    }
  });

  it('has a result shape for every request type, and checks results against the one of their type', () => {
    const requestTypes = new Set(validWebview.map((m) => m.type).filter((t) => t !== 'ready'));
    assert.deepStrictEqual(Object.keys(ResultSchemas).sort(), [...requestTypes].sort());
    const good: { [K in RequestType]: unknown } = {
      send: { bytes: 3, repeatId: 'r1' },
      sendFile: { bytes: 0, cancelled: true },
      stopRepeat: {},
      setAutoReply: {},
      clear: {},
      setFraming: {},
      startCapture: { cancelled: true },
      stopCapture: {},
      export: { path: '/tmp/x.jsonl', records: 2 },
      fetchOlder: { records: [record], dropped: 0 },
      fetchRecord: { data: new Uint8Array(3), length: 3 },
      copy: {},
      copyText: {},
      validate: { bytes: 2 },
      convert: { data: 'hi' },
      saveToRequestFile: { path: '/tmp/lab.socklab' },
      multicast: {},
    };
    for (const [type, result] of Object.entries(good) as [RequestType, unknown][]) {
      const parsed = parseResult(type, result);
      assert.ok(parsed.ok, `${type}: ${parsed.ok ? '' : parsed.error}`);
      // A result of another shape, or an empty result with something in it, is refused.
      assert.strictEqual(parseResult(type, { unexpected: 1 }).ok, false, type);
    }
  });

  it('checks result shapes and saved state headers', () => {
    assert.ok(parseResult('send', { bytes: 7 }).ok);
    assert.ok(parseResult('send', { bytes: 14, connections: 2 }).ok);
    assert.ok(parseResult('send', { bytes: 7, to: '127.0.0.1:5000' }).ok);
    assert.ok(parseResult('convert', { error: 'not valid hex' }).ok);
    assert.strictEqual(parseResult('send', { bytes: '7' }).ok, false);
    assert.ok(parseResult('validate', { error: 'bad' }).ok);
    assert.deepStrictEqual(parsePanelState({ endpointId: 'e1', label: 'TCP 127.0.0.1:1', draft: {} }), {
      endpointId: 'e1',
      label: 'TCP 127.0.0.1:1',
      draft: {},
    });
    assert.strictEqual(parsePanelState({ label: 'x' }), undefined);
    assert.strictEqual(parsePanelState(undefined), undefined);
  });
});

type Node5 = {
  nodeName: string;
  tagName?: string;
  attrs?: { name: string; value: string }[];
  childNodes?: Node5[];
  content?: Node5;
};

function elements(node: Node5, out: Node5[] = []): Node5[] {
  if (node.tagName) out.push(node);
  for (const c of node.childNodes ?? []) elements(c, out);
  if (node.content) elements(node.content, out);
  return out;
}
const attr = (n: Node5, name: string) => n.attrs?.find((a) => a.name === name)?.value;

describe('send panel HTML shell', () => {
  const cspSource = 'https://file+.vscode-resource.vscode-cdn.net';
  const render = (nonce = crypto.randomBytes(18).toString('base64'), title = 'TCP 127.0.0.1:8880') =>
    buildPanelHtml({
      cspSource,
      nonce,
      scriptUri: `${cspSource}/ext/dist/webview/main.js`,
      styleUri: `${cspSource}/ext/dist/webview/main.css`,
      codiconUri: `${cspSource}/ext/dist/webview/codicon.css`,
      title,
      lang: 'en',
    });

  it('has a strict CSP, a nonce on every script and no inline handlers or styles', () => {
    const nonce = crypto.randomBytes(18).toString('base64');
    const doc = parse(render(nonce)) as unknown as Node5;
    const all = elements(doc);
    const meta = all.filter((e) => e.tagName === 'meta' && attr(e, 'http-equiv') === 'Content-Security-Policy');
    assert.strictEqual(meta.length, 1);
    const csp = attr(meta[0], 'content')!;
    const directives = new Map(
      csp
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([k, ...v]) => [k, v]),
    );
    assert.deepStrictEqual(directives.get('default-src'), ["'none'"]);
    assert.deepStrictEqual(directives.get('script-src'), [`'nonce-${nonce}'`]);
    assert.deepStrictEqual(directives.get('style-src'), [cspSource]);
    assert.deepStrictEqual(directives.get('font-src'), [cspSource]);
    assert.ok(!csp.includes('unsafe-inline') && !csp.includes('unsafe-eval'), csp);
    assert.deepStrictEqual(directives.get('img-src'), [cspSource, 'data:']);
    assert.deepStrictEqual([...directives.keys()].sort(), [
      'default-src',
      'font-src',
      'img-src',
      'script-src',
      'style-src',
    ]);
    const scripts = all.filter((e) => e.tagName === 'script');
    assert.ok(scripts.length >= 1);
    for (const s of scripts) {
      assert.strictEqual(attr(s, 'nonce'), nonce);
      assert.ok(attr(s, 'src')?.startsWith(cspSource), 'scripts load from the bundle folder only');
      assert.strictEqual((s.childNodes ?? []).length, 0, 'no inline script');
    }
    for (const e of all) {
      for (const a of e.attrs ?? []) {
        assert.ok(!/^on/i.test(a.name), `inline handler ${a.name} on <${e.tagName}>`);
        assert.notStrictEqual(a.name, 'style', `inline style on <${e.tagName}>`);
      }
      assert.notStrictEqual(e.tagName, 'style');
    }
    const links = all.filter((e) => e.tagName === 'link');
    assert.ok(links.some((l) => attr(l, 'id') === 'vscode-codicon-stylesheet'));
    for (const l of links) assert.ok(attr(l, 'href')!.startsWith(cspSource));
  });

  it('uses a fresh nonce per render and escapes the title', () => {
    const a = render();
    const b = render();
    assert.notStrictEqual(/nonce-([^']+)/.exec(a)![1], /nonce-([^']+)/.exec(b)![1]);
    const html = render(undefined, '<img src=x onerror=alert(1)>');
    assert.ok(!html.includes('<img'), html);
    assert.strictEqual(elements(parse(html) as unknown as Node5).filter((e) => e.tagName === 'img').length, 0);
    assert.throws(() => render('short'));
    assert.strictEqual(panelCsp(cspSource, 'n').split(';')[0], "default-src 'none'");
  });
});

describe('traffic feed (host side coalescing)', () => {
  const rec = (i: number, size = 3): TrafficRecord => ({
    time: i,
    direction: i % 2 ? 'in' : 'out',
    peer: '127.0.0.1:1',
    data: new Uint8Array(size).fill(i & 0xff),
  });

  it('keeps only references between posts, the newest N, and counts what it skipped', () => {
    const feed = new TrafficFeed(100);
    const log = new TrafficLog();
    feed.reset(log, 0);
    for (let i = 0; i < 250; i++) {
      const r = rec(i);
      log.append(r);
      feed.push(r);
    }
    const { records, skipped } = feed.take();
    assert.strictEqual(records.length, 100);
    assert.strictEqual(skipped, 150);
    assert.deepStrictEqual([records[0].seq, records[99].seq], [150, 249]);
    assert.ok(feed.matches(log, 0));
    // One ArrayBuffer per post, whatever the batch size (VS Code's RPC counts buffers in a byte).
    assert.strictEqual(new Set(records.map((r) => r.preview.buffer)).size, 1);
    assert.deepStrictEqual([...records[5].preview], [...rec(155).data]);
    assert.deepStrictEqual(feed.take(), { records: [], skipped: 0 });
    // Scrolling back pages through what was skipped, newest first.
    const page = feed.page(log, 0, 0, 150, 60);
    assert.deepStrictEqual([page[0].seq, page[page.length - 1].seq, page.length], [90, 149, 60]);
    const r42 = feed.record(log, 0, 42)!;
    assert.deepStrictEqual([r42.time, r42.direction, [...r42.data]], [42, 'out', [...rec(42).data]]);
  });

  it('keeps the frame fields of framed records in their views, and the schema checks them', () => {
    const enc = new TextEncoder();
    const line: TrafficRecord = { ...rec(1), data: enc.encode('a\r\n'), delimiterBytes: 2, connectionId: 'c1' };
    const cut: TrafficRecord = { ...rec(2, 8), truncated: true };
    const partial: TrafficRecord = { ...rec(3, 4), partial: true, headerBytes: 2 };
    const feed = new TrafficFeed(10);
    const log = new TrafficLog();
    feed.reset(log, 0);
    for (const r of [line, cut, partial, rec(4)]) {
      log.append(r);
      feed.push(r);
    }
    const { records } = feed.take();
    const frame = (v: (typeof records)[number]) => [v.delimiterBytes, v.headerBytes, v.truncated, v.partial];
    assert.deepStrictEqual(records.map(frame), [
      [2, undefined, undefined, undefined],
      [undefined, undefined, true, undefined],
      [undefined, 2, undefined, true],
      [undefined, undefined, undefined, undefined],
    ]);
    // Unframed records carry none of the keys (the message stays as small as before).
    assert.deepStrictEqual(Object.keys(records[3]).sort(), ['dir', 'length', 'peer', 'preview', 'seq', 'time']);
    const batch = { type: 'traffic', epoch: feed.epoch, records, skipped: 0, counters: countersView };
    assert.ok(parseHostMessage(batch).ok);
    for (const bad of [{ delimiterBytes: -1 }, { headerBytes: 1.5 }, { truncated: false }, { partial: 'yes' }])
      assert.strictEqual(parseHostMessage({ ...batch, records: [{ ...records[0], ...bad }] }).ok, false);
  });

  it('bounds previews and notices a cleared or evicted log', () => {
    const big = rec(1, 10000);
    const view = toRecordView(big, 7);
    assert.strictEqual(view.preview.byteLength, PREVIEW_MAX_BYTES);
    assert.strictEqual(view.length, 10000);
    assert.notStrictEqual(view.preview.buffer, big.data.buffer);

    const feed = new TrafficFeed(10);
    const log = new TrafficLog(2 * (3 + RECORD_OVERHEAD_BYTES));
    log.append(rec(0));
    log.append(rec(1));
    const first = feed.reset(log, log.dropped);
    const epoch = feed.epoch;
    assert.deepStrictEqual(
      first.map((r) => r.seq),
      [0, 1],
    );
    // Eviction: one appended, the oldest dropped by the cap.
    const r2 = rec(2);
    log.append(r2);
    feed.push(r2);
    assert.strictEqual(log.dropped, 1);
    assert.ok(feed.matches(log, 1));
    assert.deepStrictEqual(
      feed.page(log, 1, 0, 3, 10).map((r) => r.seq),
      [1, 2],
    );
    assert.strictEqual(feed.record(log, 1, 0), undefined);
    // A large record waits for the post as a copy of its preview, not as the whole chunk.
    const chunk = Buffer.alloc(64 * 1024, 7);
    feed.push({ ...rec(3), data: chunk });
    const pending = (feed as unknown as { _ring: TrafficRecord[] })._ring.filter(Boolean);
    assert.ok(pending.every((r) => r.data.buffer !== chunk.buffer && r.data.byteLength <= PREVIEW_MAX_BYTES));
    const posted = feed.take().records;
    assert.deepStrictEqual(
      [posted[posted.length - 1].length, posted[posted.length - 1].preview.byteLength],
      [64 * 1024, PREVIEW_MAX_BYTES],
    );
    assert.strictEqual(feed.matches(log, 1), false); // the feed counted one more than the log holds
    // Cleared: the log restarts empty while the feed counted 3.
    log.clear();
    assert.strictEqual(feed.matches(log, 0), false);
    feed.reset(log, 0);
    assert.ok(feed.epoch > epoch);
    // A record appended after a clear is not the one the feed saw last, even when the count agrees.
    const other = new TrafficLog();
    other.append(rec(9));
    assert.strictEqual(feed.matches(other, -1), false);
  });
});
