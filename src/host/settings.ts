import * as vscode from 'vscode';
import { MAX_CONNECTIONS_DEFAULT, MAX_CONNECTIONS_LIMIT } from '../shared/limits';
import { LINE_ENDINGS, PAYLOAD_FORMATS, TEXT_ENCODINGS, type LineEnding, type PayloadFormat } from '../shared/payload';
import { checkHost } from '../shared/validate';

/** The user's Socket Lab settings, read fresh each time (they can change at any moment). */
export interface SocketLabSettings {
  defaultHost: string;
  logCapBytes: number;
  defaultFormat: PayloadFormat;
  defaultEncoding: string;
  defaultLineEnding: LineEnding;
  connectTimeoutMs: number;
  confirmExternalBind: boolean;
  /** The environment of `socklab.env.json` that editor runs and diagnostics use ('' for `$shared` only). */
  requestFileEnvironment: string;
  restoreEndpoints: boolean;
  maxConnections: number;
}

/** Told once per read about each setting whose value was not usable, with a sentence naming it. */
export type SettingWarning = (message: string) => void;

/**
 * Reads the `socketLab.*` settings. VS Code does not enforce a schema's minimum, maximum or enum, so every
 * value is checked here: a number out of range is clamped, anything else unusable falls back to the default,
 * and `warn` hears one sentence per such setting. Reading never throws, so activation never fails on settings.
 */
export function readSettings(warn?: SettingWarning): SocketLabSettings {
  const c = vscode.workspace.getConfiguration('socketLab');
  const say = (name: string, value: unknown, used: unknown) =>
    warn?.(
      vscode.l10n.t(
        'The setting socketLab.{0} has an unusable value ({1}); Socket Lab uses {2} instead.',
        name,
        shown(value),
        shown(used),
      ),
    );
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const value = c.get<unknown>(name);
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      say(name, value, fallback);
      return fallback;
    }
    const clamped = Math.min(max, Math.max(min, value));
    if (clamped !== value) say(name, value, clamped);
    return clamped;
  };
  const oneOf = <T extends string>(name: string, fallback: T, allowed: readonly string[]): T => {
    const value = c.get<unknown>(name);
    if (value === undefined) return fallback;
    if (typeof value === 'string' && allowed.includes(value)) return value as T;
    say(name, value, fallback);
    return fallback;
  };
  const hostValue = c.get<unknown>('defaultHost');
  let defaultHost = '127.0.0.1';
  if (hostValue !== undefined && hostValue !== '') {
    if (typeof hostValue === 'string' && !checkHost(hostValue, 'defaultHost')) defaultHost = hostValue;
    else say('defaultHost', hostValue, defaultHost);
  }
  const confirmValue = c.get<unknown>('confirmExternalBind');
  let confirmExternalBind = true;
  if (typeof confirmValue === 'boolean') confirmExternalBind = confirmValue;
  else if (confirmValue !== undefined) say('confirmExternalBind', confirmValue, true);
  return {
    defaultHost,
    logCapBytes: integer('logCapBytes', 8 * 1024 * 1024, 64 * 1024, 1024 * 1024 * 1024),
    defaultFormat: oneOf<PayloadFormat>('defaultFormat', 'text', PAYLOAD_FORMATS),
    defaultEncoding: oneOf('defaultEncoding', 'utf8', TEXT_ENCODINGS),
    defaultLineEnding: oneOf<LineEnding>('defaultLineEnding', 'none', LINE_ENDINGS),
    connectTimeoutMs: integer('connectTimeoutMs', 10000, 1, 600000),
    confirmExternalBind,
    maxConnections: integer('maxConnections', MAX_CONNECTIONS_DEFAULT, 1, MAX_CONNECTIONS_LIMIT),
    requestFileEnvironment: (c.get<string>('requestFileEnvironment') ?? '').trim(),
    restoreEndpoints: c.get<boolean>('restoreEndpoints') ?? true,
  };
}

function shown(value: unknown): string {
  try {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  } catch {
    return String(value);
  }
}
