/**
 * Prints the bad-input table of RELIABILITY.md from the real core: each case of badInputCases.ts through
 * SocketLab (and the quick-input validators), with the code and the sentence it really produced.
 * Usage: npx tsc -p tsconfig.test.json && node out/test/helpers/printBadInputTable.js
 */
import { encodePayload } from '../../src/core/codec';
import { SocketLab } from '../../src/core/socketLab';
import { checkHost, checkPort, checkUnixPath } from '../../src/shared/validate';
import { COMMAND_CASES, PROMPT_CASES, buildFixture, offlineLookup } from './badInputCases';

/** Sentences of the host-only entry points, as test/integration/badInput.test.ts asserts them. */
const HOST_ONLY: Record<string, string> = {
  stopAll: 'stopAll takes no fields; pass {}.',
  copyAddress: 'There is no endpoint or connection e9999.',
  openPanel: 'There is no endpoint e9999.',
};

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

async function main(): Promise<void> {
  const lines: string[] = ['| # | Case | Entry point | Code | Sentence |', '|---|---|---|---|---|'];
  let n = 0;
  for (const c of PROMPT_CASES) {
    let err: { code?: string; message?: string } | undefined;
    if (c.prompt === 'port') err = checkPort(c.value);
    else if (c.prompt === 'host') err = checkHost(c.value);
    else if (c.prompt === 'unixPath') err = checkUnixPath(c.value, 'path', process.platform);
    else {
      try {
        encodePayload({ data: c.value, format: c.format, encoding: c.encoding ?? 'utf8', lineEnding: 'none' });
      } catch (e) {
        err = e as Error & { code: string };
      }
    }
    lines.push(
      `| ${++n} | ${cell(c.name)} | quick input: ${c.prompt} prompt | ${err?.code ?? 'ACCEPTED'} | ${cell(err?.message ?? '')} |`,
    );
  }
  const lab = new SocketLab({ lookup: offlineLookup as never });
  const call = async (command: string, args: unknown) =>
    (lab as unknown as Record<string, (a: unknown) => unknown>)[command].call(lab, args);
  const fixture = await buildFixture({ call, list: () => lab.list() });
  try {
    for (const c of COMMAND_CASES) {
      if (c.only === 'host') {
        lines.push(
          `| ${++n} | ${cell(c.name)} | command socketLab.${c.command} (host only) | ${c.code} | ${cell(HOST_ONLY[c.command] ?? '(see test/integration/badInput.test.ts)')} |`,
        );
        continue;
      }
      let code = 'ACCEPTED';
      let message = '';
      try {
        await call(c.command, c.args(fixture));
      } catch (e) {
        code = (e as { code: string }).code;
        message = (e as Error).message;
      }
      message = message.split(fixture.dir).join('<tmp>');
      lines.push(
        `| ${++n} | ${cell(c.name)} | SocketLab.${c.command} and command socketLab.${c.command} | ${code} | ${cell(message.length > 220 ? `${message.slice(0, 220)}…` : message)} |`,
      );
    }
  } finally {
    await fixture.cleanup();
    lab.dispose();
  }
  process.stdout.write(lines.join('\n') + '\n');
}

void main();
