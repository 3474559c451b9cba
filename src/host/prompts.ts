import * as vscode from 'vscode';
import * as os from 'os';
import * as path from 'path';
import { encodePayload } from '../core/codec';
import { isSocketLabError } from '../shared/errors';
import { parseHostPort } from '../shared/naming';
import { PAYLOAD_FORMATS, type PayloadFormat } from '../shared/payload';
import { checkHost, checkInteger, checkPort, checkUnixPath } from '../shared/validate';
import { describeError } from './errorText';

/** Remembers the last value typed into each prompt, so the next prompt offers it. */
export class PromptMemory {
  constructor(private readonly _state: vscode.Memento) {}

  get(key: string, fallback: string): string {
    return this._state.get<string>(`socketLab.last.${key}`) ?? fallback;
  }

  async set(key: string, value: string): Promise<void> {
    await this._state.update(`socketLab.last.${key}`, value);
  }
}

/** Where a prompt sits in a multi-step flow: shown as 'Title (1/2)' by VS Code. */
export interface Step {
  step: number;
  totalSteps: number;
}

/** A quick pick's title with its step, as VS Code shows an input box's: 'Send (1/3)'. */
export function stepTitle(title: string, step?: Step): string {
  return step ? vscode.l10n.t('{0} ({1}/{2})', title, step.step, step.totalSteps) : title;
}

/**
 * Asks for one value with validation as the user types; undefined when cancelled (Escape or focus lost is
 * not a cancel: `ignoreFocusOut`). An answer with an Error-severity message is not accepted.
 */
export async function ask(options: {
  memory: PromptMemory;
  key: string;
  fallback: string;
  title: string;
  prompt: string;
  validate: (value: string) => string | undefined | vscode.InputBoxValidationMessage;
  /** Offered instead of the remembered value (e.g. the peer a UDP socket last heard from). */
  preferred?: string;
  step?: Step;
}): Promise<string | undefined> {
  const box = vscode.window.createInputBox();
  box.title = options.title;
  box.prompt = options.prompt;
  box.value = options.preferred ?? options.memory.get(options.key, options.fallback);
  box.ignoreFocusOut = true;
  if (options.step) {
    box.step = options.step.step;
    box.totalSteps = options.step.totalSteps;
  }
  const check = (value: string) => {
    box.validationMessage = options.validate(value);
  };
  check(box.value);
  const value = await new Promise<string | undefined>((resolve) => {
    box.onDidChangeValue(check);
    box.onDidAccept(() => {
      const message = options.validate(box.value);
      box.validationMessage = message;
      if (isError(message)) return;
      resolve(box.value);
      box.hide();
    });
    box.onDidHide(() => resolve(undefined));
    box.show();
  });
  box.dispose();
  if (value !== undefined) await options.memory.set(options.key, value);
  return value;
}

function isError(message: string | undefined | vscode.InputBoxValidationMessage): boolean {
  if (message === undefined || message === '') return false;
  return typeof message === 'string' || message.severity === vscode.InputBoxValidationSeverity.Error;
}

function hostError(value: string): string | undefined {
  const err = checkHost(value);
  return err ? describeError(err) : undefined;
}

function portError(value: string): string | undefined {
  const err = checkPort(value);
  return err ? describeError(err) : undefined;
}

/** A port to connect or send to: 0 is not one. */
function remotePortError(value: string): string | undefined {
  const err = checkInteger(value, 'port', 1, 65535, 'invalidPort');
  return err ? describeError(err) : undefined;
}

/**
 * A host typed as 'host:port' or '[v6]:port' (pasted from somewhere): its two parts, when the whole is not a
 * host by itself (so '::1' stays an IPv6 address).
 */
export function splitHostPort(value: string): { host: string; port: number } | undefined {
  if (!checkHost(value)) return undefined;
  const parsed = parseHostPort(value);
  return isSocketLabError(parsed) ? undefined : parsed;
}

/**
 * Asks host (step 1/2) then port (2/2); `port` is returned as a number. `listen` asks where to bind,
 * `connect` where to connect. A host typed as 'host:port' is split: the port fills step 2.
 */
export async function askHostAndPort(
  memory: PromptMemory,
  title: string,
  keyPrefix: string,
  defaults: { host: string; port: string },
  mode: 'listen' | 'connect',
): Promise<{ host: string; port: number } | undefined> {
  const typed = await ask({
    memory,
    key: `${keyPrefix}.host`,
    fallback: defaults.host,
    title,
    prompt:
      mode === 'listen'
        ? vscode.l10n.t('Address to listen on (127.0.0.1 and ::1 are loopback; 0.0.0.0 and :: mean every interface)')
        : vscode.l10n.t('Host name or IP address to connect to (127.0.0.1 and ::1 are this machine)'),
    validate: (value) => {
      const split = splitHostPort(value);
      if (!split) return hostError(value);
      return {
        message: vscode.l10n.t('Host {0}; port {1} goes to the next step.', split.host, split.port),
        severity: vscode.InputBoxValidationSeverity.Info,
      };
    },
    step: { step: 1, totalSteps: 2 },
  });
  if (typed === undefined) return undefined;
  const split = splitHostPort(typed);
  const host = split?.host ?? typed;
  if (split) await memory.set(`${keyPrefix}.host`, host);
  const port = await ask({
    memory,
    key: `${keyPrefix}.port`,
    fallback: defaults.port,
    preferred: split ? String(split.port) : undefined,
    title,
    prompt:
      mode === 'listen'
        ? vscode.l10n.t('Port, 0-65535 (0 lets the system pick a free one)')
        : vscode.l10n.t('Port to connect to, 1-65535'),
    validate: mode === 'listen' ? portError : remotePortError,
    step: { step: 2, totalSteps: 2 },
  });
  if (port === undefined) return undefined;
  return { host, port: Number(port) };
}

/** Asks for a Unix socket path (checked for length as the user types). */
export async function askUnixPath(memory: PromptMemory, title: string, key: string): Promise<string | undefined> {
  const fallback = process.platform === 'win32' ? '\\\\.\\pipe\\socket-lab' : path.join(os.tmpdir(), 'socket-lab.sock');
  return ask({
    memory,
    key,
    fallback,
    title,
    prompt: vscode.l10n.t('Unix socket path (or a Windows named pipe \\\\.\\pipe\\name)'),
    validate: (value) => {
      const err = checkUnixPath(value, 'path', process.platform);
      return err ? describeError(err) : undefined;
    },
  });
}

/** Asks for a payload: format first, then the data with live validation and byte count; `steps` places them in a longer flow. */
export async function askPayload(
  memory: PromptMemory,
  title: string,
  defaults: { format: PayloadFormat; encoding: string; lineEnding: 'none' | 'lf' | 'cr' | 'crlf' },
  steps?: { first: number; totalSteps: number },
): Promise<
  { data: string; format: PayloadFormat; encoding: string; lineEnding: 'none' | 'lf' | 'cr' | 'crlf' } | undefined
> {
  const formatLabels: Record<PayloadFormat, string> = {
    text: vscode.l10n.t('Text ({0}, escapes like \\n \\x00 allowed)', defaults.encoding),
    hex: vscode.l10n.t('Hex bytes (48 65 6c 6c 6f, 0x48, 48:65...)'),
    base64: vscode.l10n.t('Base64'),
  };
  const lastFormat = memory.get('send.format', defaults.format) as PayloadFormat;
  const items = PAYLOAD_FORMATS.map((format) => ({
    label: formatLabels[format],
    format,
    picked: format === lastFormat,
  }));
  items.sort((a, b) => Number(b.picked) - Number(a.picked));
  const at = (offset: number) => (steps ? { step: steps.first + offset, totalSteps: steps.totalSteps } : undefined);
  const picked = await vscode.window.showQuickPick(items, {
    title: stepTitle(title, at(0)),
    placeHolder: vscode.l10n.t('Payload format'),
  });
  if (!picked) return undefined;
  await memory.set('send.format', picked.format);
  const spec = {
    format: picked.format,
    encoding: defaults.encoding,
    lineEnding: picked.format === 'text' ? defaults.lineEnding : ('none' as const),
  };
  const data = await ask({
    memory,
    key: `send.data.${picked.format}`,
    fallback:
      picked.format === 'hex' ? '48 65 6c 6c 6f 0d 0a' : picked.format === 'base64' ? 'SGVsbG8NCg==' : 'Hello\\r\\n',
    title,
    prompt: vscode.l10n.t('Payload ({0})', picked.format),
    step: at(1),
    validate: (value) => {
      try {
        const bytes = encodePayload({ data: value, ...spec });
        return { message: vscode.l10n.t('{0} bytes', bytes.length), severity: vscode.InputBoxValidationSeverity.Info };
      } catch (err) {
        return describeError(err);
      }
    },
  });
  if (data === undefined) return undefined;
  return { data, ...spec };
}

/** Asks for a destination host:port (UDP sends); '[::1]:9000' and 'host:port' forms. */
export async function askDestination(
  memory: PromptMemory,
  title: string,
  fallback: string,
  lastPeer?: string,
  step?: Step,
): Promise<{ host: string; port: number } | undefined> {
  const value = await ask({
    memory,
    key: 'send.to',
    fallback,
    preferred: lastPeer,
    title,
    prompt: vscode.l10n.t('Destination host:port ([::1]:9000 for IPv6)'),
    step,
    validate: (v) => {
      const parsed = parseHostPort(v);
      return isSocketLabError(parsed) ? describeError(parsed) : undefined;
    },
  });
  if (value === undefined) return undefined;
  const parsed = parseHostPort(value);
  return isSocketLabError(parsed) ? undefined : parsed;
}
