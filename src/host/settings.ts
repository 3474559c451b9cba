import * as vscode from 'vscode';
import type { LineEnding, PayloadFormat } from '../shared/payload';

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
}

/** Reads the `socketLab.*` settings with their documented defaults. */
export function readSettings(): SocketLabSettings {
  const c = vscode.workspace.getConfiguration('socketLab');
  return {
    defaultHost: c.get<string>('defaultHost') || '127.0.0.1',
    logCapBytes: c.get<number>('logCapBytes') ?? 8 * 1024 * 1024,
    defaultFormat: c.get<PayloadFormat>('defaultFormat') ?? 'text',
    defaultEncoding: c.get<string>('defaultEncoding') ?? 'utf8',
    defaultLineEnding: c.get<LineEnding>('defaultLineEnding') ?? 'none',
    connectTimeoutMs: c.get<number>('connectTimeoutMs') ?? 10000,
    confirmExternalBind: c.get<boolean>('confirmExternalBind') ?? true,
    requestFileEnvironment: (c.get<string>('requestFileEnvironment') ?? '').trim(),
    restoreEndpoints: c.get<boolean>('restoreEndpoints') ?? true,
  };
}
