/**
 * Writes TLS session keys in the SSLKEYLOGFILE format (what Wireshark's "(Pre)-Master-Secret log filename"
 * reads), from Node's 'keylog' events: each event is one finished line such as
 * 'CLIENT_HANDSHAKE_TRAFFIC_SECRET <client random> <secret>\n'.
 */
import * as fs from 'fs';
import * as tls from 'tls';
import { SocketLabError } from '../../shared/errors';
import { KEYLOG_BUFFER_MAX_BYTES } from '../../shared/limits';
import { FIELD_LABELS } from '../../shared/valueWords';
import { Emitter, Event } from '../event';
import { IDisposable } from '../lifecycle';

/** Appends key-log lines to one file; several sockets and servers may share it. */
export class KeylogWriter implements IDisposable {
  private readonly _onDidFail = new Emitter<SocketLabError>();
  /** Fires once when the file can no longer be written (the lines after that are dropped). */
  readonly onDidFail: Event<SocketLabError> = this._onDidFail.event;
  private _failed = false;
  private _closed = false;
  private _lines = 0;
  private _dropped = 0;

  private constructor(
    /** The file written to. */
    readonly path: string,
    private readonly _stream: fs.WriteStream,
  ) {
    _stream.on('error', (err) => this._fail(err));
  }

  /** Opens (creating, owner-only, or appending to) the key-log file; refuses a path that cannot be written. */
  static open(path: string): Promise<KeylogWriter> {
    return new Promise((resolve, reject) => {
      const stream = fs.createWriteStream(path, { flags: 'a', mode: 0o600 });
      stream.once('error', (err) => {
        stream.destroy();
        reject(keylogError(path, err));
      });
      stream.once('open', () => {
        stream.removeAllListeners('error');
        resolve(new KeylogWriter(path, stream));
      });
    });
  }

  /** Lines written so far. */
  get lines(): number {
    return this._lines;
  }

  /** Lines dropped because the disk fell far behind or the file failed. */
  get dropped(): number {
    return this._dropped;
  }

  /** Writes the keys of every session of a server, or of one client socket, until disposed. */
  attach(source: tls.Server | tls.TLSSocket): IDisposable {
    const onLine = (line: Buffer) => this.write(line);
    source.on('keylog', onLine);
    return { dispose: () => source.off('keylog', onLine) };
  }

  /** Appends one key-log line as Node gives it (already ending in '\n'). */
  write(line: Buffer): void {
    if (this._closed || this._failed || this._stream.writableLength > KEYLOG_BUFFER_MAX_BYTES) {
      this._dropped++;
      return;
    }
    this._lines++;
    this._stream.write(line);
  }

  /** Resolves once every line written so far is in the file. */
  flush(): Promise<void> {
    if (this._closed || this._failed || this._stream.writableLength === 0) return Promise.resolve();
    return new Promise((resolve) => this._stream.write('', () => resolve()));
  }

  private _fail(err: unknown): void {
    if (this._failed) return;
    this._failed = true;
    this._onDidFail.fire(keylogError(this.path, err));
  }

  /** Closes the file after what is queued (see close() to wait for it). */
  dispose(): void {
    if (this._closed) return;
    this._closed = true;
    this._stream.end();
    this._onDidFail.dispose();
  }

  /** Closes the file after what is queued, and resolves once it is closed. */
  close(): Promise<void> {
    const stream = this._stream;
    this.dispose();
    if (stream.closed) return Promise.resolve();
    return new Promise((resolve) => stream.once('close', () => resolve()));
  }
}

function keylogError(path: string, err: unknown): SocketLabError {
  const code = (err as NodeJS.ErrnoException).code;
  const values = { label: FIELD_LABELS.keylogPath, path, detail: code ?? String(err) };
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return SocketLabError.create(
        'fileNotFound',
        '{label} {path} cannot be created: its folder does not exist; check the path.',
        values,
        code,
      );
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return SocketLabError.create(
        'permissionDenied',
        '{label} {path} cannot be written (permission denied); choose a file in a folder you may write to.',
        values,
        code,
      );
    case 'EISDIR':
      return SocketLabError.create('isDirectory', '{label} {path} is a folder; give the path of a file.', values, code);
    default:
      return SocketLabError.create('fileUnwritable', '{label} {path} cannot be written ({detail}).', values, code);
  }
}
