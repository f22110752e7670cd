/**
 * The one WebSocket of a live page (graphql-ws), and how it stays up.
 *
 * - Reconnects by itself, forever, whatever closed it (a server restart, a dropped network, a
 *   laptop waking up): the browser fires `error` before `close` on a refused connection, and
 *   graphql-ws's default gives up on anything that is not a close event, so every failure is
 *   retried here. Waits grow 0.5 s, 1 s, 2 s, 4 s and stay at 5 s at most (./backoff.ts).
 * - A socket that stops answering (half-open after a network change) is noticed by our own
 *   pings: no pong within PONG_TIMEOUT_MS and the socket is terminated, which reconnects.
 * - graphql-ws resubscribes every active subscription on the new socket with the payload it was
 *   given, serialized anew; `keepSubscribed` hands it variables as a getter, so commentAdded
 *   resumes with the `after` of the last comment received.
 * - While disconnected the page says so discreetly (the #connection status line). A page with
 *   nothing left to follow (its poll or thread deleted or removed) is not disconnected: graphql-ws
 *   closes a socket whose last subscription ended, and that close must not read "Reconnecting…".
 */
import { Client, createClient } from 'graphql-ws';
import { graphqlWsUrl } from '../shared/endpoint';
import { MAX_RETRY_WAIT_MS, retryWait } from './backoff';

const PING_INTERVAL_MS = 10_000;
const PONG_TIMEOUT_MS = 5000;

/**
 * How long graphql-ws keeps a socket with no subscription open: longer than the longest wait
 * before `keepSubscribed` subscribes again, so that resubscribing after an error message reuses
 * the socket rather than closing it and reading as a drop meanwhile.
 */
const IDLE_CLOSE_MS = MAX_RETRY_WAIT_MS + 1000;

/**
 * Subscriptions of the page still followed (the page has one client). Zero once everything the
 * page showed is gone: a socket closing then is graphql-ws closing an idle one, not a drop.
 */
let following = 0;
let clearStatus: () => void = () => undefined;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Shows "Reconnecting…" in the status line while the socket is down, and hides it once it is back. */
function showConnectionState(client: Client, status: HTMLElement): void {
  let everConnected = false;
  clearStatus = () => {
    status.hidden = true;
    status.textContent = '';
  };
  client.on('connected', () => {
    everConnected = true;
    clearStatus();
  });
  client.on('closed', () => {
    if (following === 0) return clearStatus();
    status.textContent = everConnected ? 'Connection lost. Reconnecting…' : 'Cannot reach the server. Retrying…';
    status.hidden = false;
  });
}

/** Terminates a socket whose pings go unanswered, so that it reconnects instead of going quiet. */
function watchPongs(client: Client): void {
  let pongTimer: ReturnType<typeof setTimeout> | undefined;
  client.on('ping', (received) => {
    if (received) return; // the server's own pings: graphql-ws answers them
    pongTimer = setTimeout(() => client.terminate(), PONG_TIMEOUT_MS);
  });
  client.on('pong', (received) => {
    if (received) clearTimeout(pongTimer);
  });
  client.on('closed', () => clearTimeout(pongTimer));
}

export function openLiveConnection(status: HTMLElement): Client {
  const client = createClient({
    url: graphqlWsUrl(),
    // Anonymous: a wall screen signs in as nobody (connection_init without a payload).
    retryAttempts: Infinity,
    shouldRetry: () => true,
    retryWait: (retries) => sleep(retryWait(retries)),
    keepAlive: PING_INTERVAL_MS,
    lazyCloseTimeout: IDLE_CLOSE_MS,
  });
  showConnectionState(client, status);
  watchPongs(client);
  return client;
}

export interface LiveSink<T> {
  /**
   * A message; `first` when it is the first since the subscription (re)started: a fresh snapshot.
   * Returns false when the data itself says the subscription is over (postUpdated's `post: null`).
   */
  next(data: T, first: boolean): boolean | void;
  /** The subscription ended for good: the post is gone (NOT_FOUND), or `next` said so. */
  gone(): void;
}

interface ErrorLike {
  extensions?: { code?: unknown };
}

function isNotFound(error: unknown): boolean {
  return Array.isArray(error) && error.some((item: ErrorLike) => item?.extensions?.code === 'NOT_FOUND');
}

/**
 * Subscribes and stays subscribed: graphql-ws resubscribes across reconnects; an `error` message
 * (a rate limit, SLOW_CONSUMER) or an unexpected `complete` subscribes again after a retry wait;
 * NOT_FOUND means the post is gone. `variables` is read each time the subscription is sent.
 */
export function keepSubscribed<T>(client: Client, query: string, variables: () => Record<string, unknown>, sink: LiveSink<T>): void {
  let first = true;
  let attempts = 0;
  let over = false;
  following += 1;
  client.on('connected', () => {
    first = true;
  });
  const end = () => {
    if (over) return;
    over = true;
    following -= 1;
    if (following === 0) clearStatus();
    sink.gone();
  };
  const again = () => {
    if (over) return;
    setTimeout(start, retryWait(attempts));
    attempts += 1;
  };
  function start(): void {
    first = true;
    const payload = {
      query,
      get variables() {
        return variables();
      },
    };
    client.subscribe<T>(payload, {
      next: (message) => {
        if (over || !message.data) return;
        attempts = 0;
        const wasFirst = first;
        first = false;
        if (sink.next(message.data, wasFirst) === false) end();
      },
      error: (error) => (isNotFound(error) ? end() : again()),
      complete: again,
    });
  }
  start();
}
