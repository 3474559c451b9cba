/** A typed event with the same call signature as vscode.Event, so the host can pass it straight through. */
import { IDisposable } from './lifecycle';

/** Subscribe with a listener; the returned disposable unsubscribes. Same shape as vscode.Event. */
export type Event<T> = (listener: (e: T) => unknown, thisArgs?: unknown, disposables?: IDisposable[]) => IDisposable;

/** Options of an Emitter. */
export interface EmitterOptions {
  /** Called when a listener throws; the other listeners still run. Defaults to ignoring the error. */
  onListenerError?: (err: unknown) => void;
}

type Listener<T> = { fn: (e: T) => unknown; thisArgs: unknown };

/** Fires events to its listeners; a throwing listener never breaks the emitter or the other listeners. */
export class Emitter<T> implements IDisposable {
  private _listeners: Listener<T>[] = [];
  private _disposed = false;
  private _event?: Event<T>;

  constructor(private readonly _options: EmitterOptions = {}) {}

  /** The subscribe function to hand out. */
  get event(): Event<T> {
    if (!this._event) {
      this._event = (fn, thisArgs, disposables) => {
        if (this._disposed) {
          return { dispose() {} };
        }
        const listener: Listener<T> = { fn, thisArgs };
        // Copy-on-write: fire() iterates a snapshot, so (un)subscribing during fire is safe and cheap.
        this._listeners = [...this._listeners, listener];
        let done = false;
        const subscription = {
          dispose: () => {
            if (!done) {
              done = true;
              this._listeners = this._listeners.filter((l) => l !== listener);
            }
          },
        };
        disposables?.push(subscription);
        return subscription;
      };
    }
    return this._event;
  }

  /** True when somebody listens (lets hot paths skip building the event object). */
  get hasListeners(): boolean {
    return this._listeners.length > 0;
  }

  /** Calls every listener with `e`. */
  fire(e: T): void {
    const listeners = this._listeners;
    for (let i = 0; i < listeners.length; i++) {
      const l = listeners[i];
      try {
        l.fn.call(l.thisArgs, e);
      } catch (err) {
        try {
          this._options.onListenerError?.(err);
        } catch {
          // The error reporter itself failed; nothing sensible is left to do.
        }
      }
    }
  }

  /** Removes all listeners; later subscriptions are no-ops. */
  dispose(): void {
    this._disposed = true;
    this._listeners = [];
  }
}
