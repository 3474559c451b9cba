/**
 * The framing step: the optional last step of the TCP/Unix start and connect prompts, and Set Framing.
 * A quick pick of the modes (the last framing used, or the endpoint's own, first, so Enter keeps it),
 * then the one value a mode needs, typed in the request files' short form and checked as it is typed.
 */
import * as vscode from 'vscode';
import { resolveFraming } from '../core/framing/deframer';
import { NO_FRAMING, parseFramingSpec, type FramingSpec } from '../shared/framing';
import { formatFramingShorthand, parseFramingShorthand } from '../shared/framingShorthand';
import { describeError } from './errorText';
import { framingText } from './labels';
import { ask, type PromptMemory } from './prompts';

/** What a row of the framing pick stands for. */
type Choice = 'keep' | 'none' | 'line' | 'lf' | 'crlf' | 'delimiterText' | 'delimiterHex' | 'length' | 'fixed' | 'idle';

interface FramingItem extends vscode.QuickPickItem {
  choice: Choice;
}

/** The framing remembered under `key`, or undefined (none remembered, or not a framing any more). */
function remembered(memory: PromptMemory, key: string): FramingSpec | undefined {
  try {
    return parseFramingSpec(JSON.parse(memory.get(key, 'null')));
  } catch {
    return undefined;
  }
}

/** The short form of `spec` after its mode ('2:offset=4' of 'length:2:offset=4'), when it is of `mode`. */
function valueOf(spec: FramingSpec | undefined, mode: FramingSpec['mode']): string | undefined {
  if (spec?.mode !== mode) return undefined;
  try {
    const short = formatFramingShorthand(spec);
    return short.slice(short.indexOf(':') + 1);
  } catch {
    return undefined;
  }
}

/** A validateInput that says why `build(value)` is refused, as it is typed. */
function checkedBy(build: (value: string) => unknown): (value: string) => string | undefined {
  return (value) => {
    try {
      build(value);
      return undefined;
    } catch (err) {
      return describeError(err);
    }
  };
}

/**
 * Asks how the endpoint should cut what it receives; `current` (Set Framing: the endpoint's own) is offered
 * first, else the framing last chosen under `key`. Resolves with a complete spec, or undefined when cancelled.
 */
export async function askFraming(
  memory: PromptMemory,
  title: string,
  key: string,
  current?: FramingSpec,
): Promise<FramingSpec | undefined> {
  const memoryKey = `${key}.framing`;
  const last = current ?? remembered(memory, memoryKey);
  const keep = last ?? NO_FRAMING;
  const items: FramingItem[] = [
    {
      choice: 'keep',
      label: framingText(keep),
      description: current ? vscode.l10n.t('current framing') : last ? vscode.l10n.t('last used') : undefined,
      detail: keep.mode === 'none' ? vscode.l10n.t('Each read is one record, as it arrives') : undefined,
    },
    { choice: 'none', label: vscode.l10n.t('None'), detail: vscode.l10n.t('Each read is one record, as it arrives') },
    {
      choice: 'line',
      label: vscode.l10n.t('Lines (LF, with or without CR)'),
      detail: vscode.l10n.t('A record ends with a line ending'),
    },
    { choice: 'lf', label: vscode.l10n.t('Lines (LF only)') },
    { choice: 'crlf', label: vscode.l10n.t('Lines (CR LF only)') },
    {
      choice: 'delimiterText',
      label: vscode.l10n.t('Delimiter as text…'),
      detail: vscode.l10n.t('A record ends with the text you give, escapes such as \\r\\n allowed'),
    },
    {
      choice: 'delimiterHex',
      label: vscode.l10n.t('Delimiter as hex…'),
      detail: vscode.l10n.t('A record ends with the bytes you give, e.g. 7e'),
    },
    {
      choice: 'length',
      label: vscode.l10n.t('Length prefix…'),
      detail: vscode.l10n.t('A length field says how long each record is (MODBUS/TCP, many binary protocols)'),
    },
    {
      choice: 'fixed',
      label: vscode.l10n.t('Fixed size…'),
      detail: vscode.l10n.t('Every record has the same number of bytes'),
    },
    {
      choice: 'idle',
      label: vscode.l10n.t('Idle gap…'),
      detail: vscode.l10n.t('A record ends when nothing arrives for a while'),
    },
  ];
  // The simple modes need no second row when the first one already is that mode with its defaults.
  const simple = {
    none: NO_FRAMING,
    line: { mode: 'line', eol: 'any' },
    lf: { mode: 'line', eol: 'lf' },
    crlf: { mode: 'line', eol: 'crlf' },
  };
  const same = (a: FramingSpec, b: object) => JSON.stringify(parseFramingSpec(b)) === JSON.stringify(a);
  const rows = items.filter(
    (item) => !(item.choice in simple && same(keep, simple[item.choice as keyof typeof simple])),
  );
  const picked = await vscode.window.showQuickPick(rows, {
    title,
    placeHolder: vscode.l10n.t('Framing: how received bytes become records (Enter keeps the first)'),
    matchOnDetail: true,
  });
  if (!picked) return undefined;
  const spec = await specFor(picked.choice, keep, memory, title, key);
  if (spec) await memory.set(memoryKey, JSON.stringify(spec));
  return spec;
}

/** The framing of a picked row, asking for the value its mode needs; undefined when that prompt is cancelled. */
async function specFor(
  choice: Choice,
  keep: FramingSpec,
  memory: PromptMemory,
  title: string,
  key: string,
): Promise<FramingSpec | undefined> {
  switch (choice) {
    case 'keep':
      return keep;
    case 'none':
      return parseFramingSpec({ mode: 'none' });
    case 'line':
      return parseFramingSpec({ mode: 'line', eol: 'any' });
    case 'lf':
      return parseFramingSpec({ mode: 'line', eol: 'lf' });
    case 'crlf':
      return parseFramingSpec({ mode: 'line', eol: 'crlf' });
    case 'delimiterText':
    case 'delimiterHex': {
      const format = choice === 'delimiterHex' ? 'hex' : 'text';
      const build = (delimiter: string) => resolveFraming({ mode: 'delimiter', delimiter, format }).spec;
      const value = await ask({
        memory,
        key: `${key}.framing.delimiter.${format}`,
        fallback: format === 'hex' ? '7e' : '\\r\\n',
        preferred: keep.mode === 'delimiter' && keep.format === format ? keep.delimiter : undefined,
        title,
        prompt:
          format === 'hex'
            ? vscode.l10n.t('Delimiter bytes in hex, e.g. 7e or 0d 0a (it stays at the end of each record)')
            : vscode.l10n.t(
                'Delimiter text, escapes such as \\r\\n or \\x7e allowed (it stays at the end of each record)',
              ),
        validate: checkedBy(build),
      });
      return value === undefined ? undefined : build(value);
    }
    case 'length':
    case 'fixed':
    case 'idle': {
      const build = (value: string) => parseFramingShorthand(`${choice}:${value}`);
      const prompts = {
        length: vscode.l10n.t('Length field as BYTES[:le][:offset=N][:adjust=N][:max=N]; MODBUS/TCP is 2:offset=4'),
        fixed: vscode.l10n.t('Bytes in every record (1 to 67108864)[:max=N]'),
        idle: vscode.l10n.t('Milliseconds of silence that end a record (1 to 60000)[:max=N]'),
      };
      const value = await ask({
        memory,
        key: `${key}.framing.${choice}`,
        fallback: { length: '2:offset=4', fixed: '16', idle: '50' }[choice],
        preferred: valueOf(keep, choice),
        title,
        prompt: prompts[choice],
        validate: checkedBy(build),
      });
      return value === undefined ? undefined : build(value);
    }
  }
}
