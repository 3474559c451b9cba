// The shared bad-input table through vscode.commands.executeCommand in the real extension host: every case
// refused with the Error that carries its code and one sentence, list() and the tree unchanged.
import * as assert from 'assert';
import { buildFixture, COMMAND_CASES, Fixture, listSnapshot, assertSentence } from '../helpers/badInputCases';
import { run, socketLab, treeRoots, useOfflineLookup, type TestApi } from '../helpers/extensionHost';

describe('bad command arguments in the real extension host (shared table)', function () {
  this.timeout(30000);
  let api: TestApi;
  let fixture: Fixture;

  before(async () => {
    api = await socketLab();
    useOfflineLookup(api);
    await run('stopAll', {});
    fixture = await buildFixture({
      call: (command, args) => Promise.resolve(run(command, args)),
      list: () => api.list(),
    });
  });

  after(async () => {
    await fixture?.cleanup();
  });

  for (const c of COMMAND_CASES.filter((x) => x.only !== 'core')) {
    it(`socketLab.${c.command}: ${c.name}`, async () => {
      const before = listSnapshot(api.list());
      const rootsBefore = treeRoots(api);
      let caught: unknown;
      try {
        await run(c.command, c.args(fixture));
      } catch (err) {
        caught = err;
      }
      assert.ok(caught instanceof Error, `socketLab.${c.command} accepted ${c.name}`);
      assert.strictEqual((caught as Error & { code?: string }).code, c.code, caught.message);
      assertSentence(caught.message, c.says, c.name);
      assert.strictEqual(listSnapshot(api.list()), before, 'list() changed: something was left half-created');
      assert.deepStrictEqual(treeRoots(api), rootsBefore, 'the tree changed');
    });
  }
});
