/**
 * Talking to the live API as clients do: the real graphql-ws client over
 * `ws`, plus a raw socket for reading frames and close codes.
 */
import { Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { onDispose } from './leftovers';
import type { Document } from './documents';
import type { ResponseError, TestServer } from './server';

export function wsUrl(t: TestServer): string {
  return t.url.replace(/^http/, 'ws');
}

/** A graphql-ws client; `token` goes in connectionParams.authorization. It is on the dispose list (./leftovers). */
export function connect(t: TestServer, token?: string | null, options: { retryAttempts?: number; onClose?: (code: number) => void } = {}): Client {
  const client = createClient({
    url: wsUrl(t),
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: options.retryAttempts ?? 0,
    lazy: true,
    on: options.onClose ? { closed: (event) => options.onClose!((event as { code: number }).code) } : undefined,
  });
  onDispose(() => client.dispose());
  return client;
}

/** One `next` payload of a subscription. */
export interface Message<T> {
  data?: T;
  errors?: ResponseError[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped subscriptions (inline documents) read `data` freely
export interface Collected<T = any> {
  /** Every `next` payload, in arrival order. */
  messages: Array<Message<T>>;
  /** The operation's `error` payload, if it ended with one. */
  errors: ResponseError[] | null;
  completed: boolean;
  /** Resolves when `predicate(messages)` holds; rejects after `timeoutMs` with what arrived. */
  until(predicate: (messages: Array<Message<T>>) => boolean, timeoutMs?: number): Promise<void>;
  /** Resolves when the operation ended (complete or error). */
  ended(timeoutMs?: number): Promise<void>;
  unsubscribe(): void;
}

/** Subscribes and records what arrives; a typed document (./documents) types the messages. */
export function collect<T>(client: Client, query: Document<T>, variables?: Record<string, unknown>): Collected<T>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the untyped fallback, for documents written inline
export function collect<T = any>(client: Client, query: string, variables?: Record<string, unknown>): Collected<T>;
export function collect<T>(client: Client, query: string, variables: Record<string, unknown> = {}): Collected<T> {
  const waiters = new Set<() => void>();
  const notify = () => waiters.forEach((check) => check());
  const collected: Collected<T> = {
    messages: [],
    errors: null,
    completed: false,
    until(predicate, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (predicate(collected.messages)) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve();
          } else if (collected.errors || collected.completed) {
            waiters.delete(check);
            clearTimeout(timer);
            reject(new Error(`subscription ended first: ${JSON.stringify({ errors: collected.errors, messages: collected.messages.slice(-3) })}`));
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out; last messages: ${JSON.stringify(collected.messages.slice(-3))}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    ended(timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (collected.errors || collected.completed) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error('subscription did not end'));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    unsubscribe: () => undefined,
  };
  collected.unsubscribe = client.subscribe<T>(
    { query, variables },
    {
      next: (message) => {
        collected.messages.push(message as Message<T>);
        notify();
      },
      error: (error) => {
        collected.errors = (Array.isArray(error) ? error : [error]) as ResponseError[];
        notify();
      },
      complete: () => {
        collected.completed = true;
        notify();
      },
    },
  );
  return collected;
}

/** The last `data` of a subscription, for `field`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped unless `T` is given, like Collected
export function last<T = any>(collected: Collected, field: string): T {
  return collected.messages[collected.messages.length - 1]?.data?.[field] as T;
}

/**
 * A graphql-transport-ws frame as received: `{ type, id?, payload? }` with a
 * payload that depends on the type (or the text itself if it was not JSON).
 * The protocol tests read them freely, so it stays untyped.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
export type Frame = any;

export interface RawSocket {
  socket: WebSocket;
  /** Every text frame received, parsed. */
  frames: Frame[];
  /** Every text frame received, as sent on the wire. */
  rawFrames: string[];
  closed: Promise<{ code: number; reason: string }>;
  send(message: unknown): void;
  /** Resolves with the first frame matching `predicate`. */
  frame(predicate: (frame: Frame) => boolean, timeoutMs?: number): Promise<Frame>;
}

/** A bare graphql-transport-ws socket (no client library), to read frames and close codes; `headers` go on the upgrade request. It is on the dispose list (./leftovers). */
export function rawSocket(t: TestServer, headers: Record<string, string> = {}): Promise<RawSocket> {
  const socket = new WebSocket(wsUrl(t), 'graphql-transport-ws', { headers });
  onDispose(() => socket.terminate());
  const frames: Frame[] = [];
  const rawFrames: string[] = [];
  const listeners = new Set<() => void>();
  socket.on('message', (data) => {
    const text = String(data);
    rawFrames.push(text);
    try {
      frames.push(JSON.parse(text));
    } catch {
      frames.push(text);
    }
    listeners.forEach((listener) => listener());
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.once('open', () =>
      resolve({
        socket,
        frames,
        rawFrames,
        closed,
        send: (message) => socket.send(typeof message === 'string' ? message : JSON.stringify(message)),
        frame(predicate, timeoutMs = 5000) {
          return new Promise((resolveFrame, rejectFrame) => {
            const check = () => {
              const found = frames.find(predicate);
              if (found !== undefined) {
                listeners.delete(check);
                clearTimeout(timer);
                resolveFrame(found);
              }
            };
            const timer = setTimeout(() => {
              listeners.delete(check);
              rejectFrame(new Error(`no matching frame in ${timeoutMs} ms; got ${JSON.stringify(frames.slice(-5))}`));
            }, timeoutMs);
            listeners.add(check);
            check();
          });
        },
      }),
    );
  });
}

/** Kept here too for the files that import it from ./live. */
export type { PollResultsMessage } from './documents';
