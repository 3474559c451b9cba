import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { RequestFileOutcome } from '../../src/host/requestFile/publicResult';
import type { RunRecord } from '../../src/host/requestFile/runReport';
import type { EndpointInfo } from '../../src/shared/model';
import { rejection } from '../helpers/errors';
import { run, socketLab, type TestApi } from '../helpers/extensionHost';
import { rawServer, type RawServer } from '../helpers/sockets';
import { waitFor } from '../helpers/wait';

/** Two blocks against an echo server: the first passes, the second fails at its expect (line 9). */
function labFile(port: number): string {
  return [
    '# a request file of the integration suite',
    `@port = ${port}`,
    '### echo',
    'connect tcp 127.0.0.1:{{port}}',
    'send text ping {{$counter}}\\n',
    'expect text ping 1\\n',
    '### wrong reply',
    'connect tcp 127.0.0.1:{{port}}',
    'send text abc',
    'expect text xyz within=2000',
    '',
  ].join('\n');
}

describe('request files in the editor (real extension host)', function () {
  this.timeout(60000);
  let api: TestApi;
  let echo: RawServer;
  let folder: string;
  let file: string;
  let uri: vscode.Uri;

  before(async () => {
    api = await socketLab();
    echo = await rawServer('127.0.0.1', (s) => s.pipe(s));
    const root = vscode.workspace.workspaceFolders?.[0];
    assert.ok(root, 'the integration host opens a workspace folder');
    folder = path.join(root.uri.fsPath, 'requests');
    fs.mkdirSync(folder, { recursive: true });
    file = path.join(folder, 'lab.socklab');
    fs.writeFileSync(file, labFile(echo.port));
    uri = vscode.Uri.file(file);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(folder, { recursive: true, force: true });
    await echo.close();
    await run('stopAll', {});
  });

  // Each test opens its own sockets: none is left for the next one's pick.
  afterEach(() => run('stopAll', {}));

  const tests = () => api._test.requestFiles.tests;
  const lastRun = (): RunRecord => tests().runs[tests().runs.length - 1];
  const byLabel = (record: RunRecord) => Object.fromEntries(Object.values(record.items).map((i) => [i.label, i]));

  it('the Testing view finds the file, with a child per block carrying its range', async () => {
    await tests().discover();
    const item = await waitFor('the file in the Testing view', () => tests().controller.items.get(uri.toString()));
    assert.strictEqual(item.label, 'requests/lab.socklab');
    const children: vscode.TestItem[] = [];
    item.children.forEach((c) => children.push(c));
    children.sort((a, b) => a.sortText!.localeCompare(b.sortText!));
    assert.deepStrictEqual(
      children.map((c) => [c.label, c.range?.start.line, c.range?.end.line]),
      [
        ['echo', 2, 5],
        ['wrong reply', 6, 9],
      ],
    );
  });

  it('a run shows pass and fail with durations, the failure at its line with expected/actual, the transcript in CRLF', async () => {
    const result = await tests().runFile(uri);
    assert.deepStrictEqual([result?.passed, result?.failed], [1, 1]);
    const record = lastRun();
    assert.ok(record.ended);
    const items = byLabel(record);
    assert.strictEqual(items['echo'].state, 'passed');
    assert.ok(typeof items['echo'].durationMs === 'number' && items['echo'].durationMs >= 0);
    const failed = items['wrong reply'];
    assert.strictEqual(failed.state, 'failed');
    assert.strictEqual(failed.line, 10);
    assert.match(failed.expected ?? '', /xyz/);
    assert.match(failed.actual ?? '', /abc/);
    assert.match(failed.message ?? '', /line 10/);
    // The run output is a terminal: every line ends in CRLF, never a bare LF.
    assert.match(record.output, /### echo\r\n> ping 1\\n\r\n< ping 1\\n\r\n✓ passed \(\d+ ms\)\r\n/);
    assert.match(record.output, /✗ failed/);
    assert.ok(!/[^\r]\n/.test(record.output), 'a bare LF in the run output');
  });

  it('include and exclude are honoured: the file without its failing block runs the echo block alone', async () => {
    const fileItem = tests().controller.items.get(uri.toString())!;
    let wrong: vscode.TestItem | undefined;
    fileItem.children.forEach((c) => {
      if (c.label === 'wrong reply') wrong = c;
    });
    const source = new vscode.CancellationTokenSource();
    await tests().run(new vscode.TestRunRequest([fileItem], [wrong!], tests().runProfile), source.token);
    source.dispose();
    const items = byLabel(lastRun());
    assert.deepStrictEqual(Object.keys(items), ['echo']);
    assert.strictEqual(items['echo'].state, 'passed');
  });

  it('cancelling a run stops the block at once and marks it skipped', async () => {
    // A server that never answers: the block waits on its expect until the run is cancelled.
    const source = new vscode.CancellationTokenSource();
    const silent = await rawServer('127.0.0.1', () => source.cancel());
    const slow = path.join(folder, 'slow.socklab');
    try {
      fs.writeFileSync(slow, `### waits\nconnect tcp 127.0.0.1:${silent.port}\nexpect text never within=60000\n`);
      const started = Date.now();
      await tests().runFile(vscode.Uri.file(slow), undefined, source.token);
      assert.ok(Date.now() - started < 30000, 'the run ended long before its 60 s expect');
      assert.strictEqual(byLabel(lastRun())['waits'].state, 'skipped');
      await waitFor('the block closed its connection', () =>
        silent.sockets.every((s) => s.destroyed || s.readableEnded),
      );
    } finally {
      source.dispose();
      await silent.close();
    }
  });

  it('socketLab.runRequestFile { path, block, vars } resolves the documented result', async () => {
    const outcome = await run<RequestFileOutcome>('runRequestFile', {
      path: 'requests/lab.socklab',
      block: 'echo',
      vars: { port: String(echo.port) },
    });
    assert.deepStrictEqual([outcome.passed, outcome.failed, outcome.blocks.length], [1, 0, 1]);
    const [block] = outcome.blocks;
    assert.deepStrictEqual([block.title, block.line, block.passed], ['echo', 3, true]);
    assert.ok(block.durationMs >= 0);
    assert.deepStrictEqual(
      block.transcript.map((e) => [e.direction, Buffer.from(e.data).toString()]),
      [
        ['out', 'ping 1\n'],
        ['in', 'ping 1\n'],
      ],
    );
    assert.ok(block.transcript[0].data instanceof Uint8Array && typeof block.transcript[0].time === 'number');

    const all = await run<RequestFileOutcome>('runRequestFile', { path: file });
    assert.deepStrictEqual([all.passed, all.failed], [1, 1]);
    const failure = all.blocks[1].failure!;
    assert.strictEqual(failure.line, 10);
    assert.match(failure.message, /line 10/);
    assert.match(failure.expected ?? '', /xyz/);
  });

  it('socketLab.runRequestFile refuses a bad argument with its sentence', async () => {
    assert.match(await rejection(run('runRequestFile', { path: '' })), /^path must be a non-empty string\.$/);
    assert.match(
      await rejection(run('runRequestFile', { path: 'requests/lab.socklab', vars: { port: 1 } })),
      /^vars must map names .* to strings; "port" does not\.$/,
    );
    assert.match(
      await rejection(run('runRequestFile', { path: 'requests/none.socklab' })),
      /none\.socklab cannot be read \(ENOENT\)\.$/,
    );
  });

  it('diagnostics appear in the Problems view as the file is edited, and CodeLens offer Run and Send to…', async () => {
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.strictEqual(doc.languageId, 'socklab');
    const editor = await vscode.window.showTextDocument(doc);
    await editor.edit((e) => e.insert(new vscode.Position(doc.lineCount - 1, 0), 'send hex;checksum=crc99 zz\n'));
    const problems = await waitFor('diagnostics of the bad line', () => {
      const d = vscode.languages.getDiagnostics(uri);
      return d.length ? d : undefined;
    });
    assert.ok(
      problems.every((p) => p.source === 'socklab' && p.range.start.line === 10),
      JSON.stringify(problems),
    );
    assert.ok(
      problems.some((p) => p.code === 'unknownChecksum'),
      JSON.stringify(problems),
    );
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    const titles = lenses.map((l) => `${l.range.start.line}:${l.command?.title}`);
    assert.deepStrictEqual(
      titles.filter((t) => t.includes('Run')),
      ['2:$(play) Run', '6:$(play) Run'],
    );
    assert.ok(titles.includes('4:$(send) Send to…') && titles.includes('8:$(send) Send to…'), titles.join(', '));
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await waitFor('diagnostics cleared once the line is gone', () => vscode.languages.getDiagnostics(uri).length === 0);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('the send command appends a checksum and expands built-ins (socketLab.send)', async () => {
    const server = await rawServer();
    try {
      const client = await run<EndpointInfo>('connectTcp', { host: '127.0.0.1', port: server.port });
      const r = await run<{ bytes: number }>('send', {
        target: client.id,
        data: '01 03 00 00 00 0a',
        format: 'hex',
        checksum: 'crc16-modbus',
      });
      assert.strictEqual(r.bytes, 8);
      await run('send', {
        target: client.id,
        data: '{{$counter}}',
        variables: true,
        checksum: 'sum8',
        checksumEndian: 'be',
      });
      await waitFor('9 bytes at the peer', () => server.received().length === 10);
      // sum8 of "1" is 0x31.
      assert.strictEqual(server.received().toString('hex'), '01030000000ac5cd' + '3131');
      assert.match(
        await rejection(run('send', { target: client.id, data: '01', format: 'hex', checksum: 'crc99' })),
        /^Checksum must be one of .* \(got "crc99"\)\.$/,
      );
    } finally {
      await server.close();
    }
  });

  it('Send to… sends a send line through the socket picked, byte-exact (variables from the @ lines, built-ins)', async () => {
    const peer = await rawServer();
    try {
      await run<EndpointInfo>('connectTcp', { host: '127.0.0.1', port: peer.port });
      // The lens's command asks which socket; the one open is the only item: accept it once the pick shows.
      let settled = false;
      const sent = Promise.resolve(
        vscode.commands.executeCommand<{ target: string; bytes: number }>('socketLab.requestFile.sendLine', uri, 5),
      ).finally(() => (settled = true));
      await waitFor('the pick accepted', async () => {
        if (!settled) await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
        return settled;
      });
      const result = await sent;
      assert.strictEqual(result?.bytes, 7);
      await waitFor('7 bytes at the peer', () => peer.received().length === 7);
      assert.strictEqual(peer.received().toString('hex'), Buffer.from('ping 1\n').toString('hex'));
    } finally {
      await peer.close();
    }
  });
});
