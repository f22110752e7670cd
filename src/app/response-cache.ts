/**
 * Answers of HTTP queries kept across requests, so that repeat reads of
 * unchanged data (a thread page opened again and again) skip execution.
 *
 * What is cached: the `data` of a query operation answered over HTTP without
 * any error, keyed by who asks (member id, role and suspension, or anonymous),
 * the document (Apollo's hash of its text), the operation name and the
 * variables. Mutations, subscriptions, the WebSocket, answers with errors and
 * requests sent with `Cache-Control: no-cache` (or no-store) never are.
 * Requests for an answer another request is executing wait for it. A hit still passes through everything before execution: the
 * token is checked, the member read (a revoked token is refused, a role set
 * from the command line is part of the key), the document parsed, validated
 * and costed, and the answer logged and counted.
 *
 * For how long: until the next write anywhere. Every write transaction of
 * this process that committed, or that the database failed, drops everything
 * (Database.writesEnded); so does every event received from another instance (their writes publish
 * domain events, or `dataChanged` when they have none). An answer whose
 * execution overlapped a write is not stored. While the Redis relay does not
 * hear the other instances nothing is served or stored, and everything is
 * dropped when it hears them again (cache-coherence.ts). What changes without
 * a write of a server (time passing: a suspension ending; a write by the
 * command line or by hand in the database) shows after at most
 * RESPONSE_CACHE_TTL_MS. Polls close by a write of the poll-closing scheduler.
 */
import { ApolloServerPlugin, HeaderMap } from '@apollo/server';
import type { FormattedExecutionResult } from 'graphql';
import type { CacheCoherence } from './cache-coherence';
import { changesByItselfAt, RequestContext } from '../modules/context';

export interface ResponseCacheSettings {
  /** RESPONSE_CACHE_TTL_MS: the longest an answer is served; 0 turns the cache off. */
  ttlMs: number;
  /** RESPONSE_CACHE_ENTRIES: answers kept at most; the least recently used goes first. */
  maxEntries: number;
}

type Data = Record<string, unknown>;

interface Entry {
  /** Date.now() after which the entry is not served: its TTL, or earlier when the answer changes by itself then. */
  expiresAt: number;
  data: Data;
}

export interface ResponseCacheStats {
  hits: number;
  misses: number;
  stores: number;
  /** Times everything was dropped because something changed. */
  invalidations: number;
}

/** How long a request waits for the same query executing for another before executing it itself. */
const FOLLOW_TIMEOUT_MS = 2_000;

interface Execution {
  generation: number;
  /** The answer once stored; undefined when the execution stored nothing (an error, a write meanwhile). */
  answer: Promise<Data | undefined>;
}

export class ResponseCache {
  /** Moves on every change: an execution that began at another generation may have read older data. */
  private generation = 0;
  private readonly entries = new Map<string, Entry>();
  /** Executions in progress by key: requests for the same answer wait for it instead of executing it again. */
  private readonly executing = new Map<string, Execution>();
  /**
   * The JSON text of every `data` ever stored (null until first sent), so that a hit does not
   * stringify the same 12 KB again. Keyed by the object itself: a served answer is the very object
   * stored, never changed after; an entry goes with its object once nothing holds it any more.
   */
  private readonly texts = new WeakMap<Data, string | null>();
  readonly stats: ResponseCacheStats = { hits: 0, misses: 0, stores: 0, invalidations: 0 };

  constructor(
    private readonly settings: ResponseCacheSettings,
    private readonly coherence: Pick<CacheCoherence, 'trusted'>,
    private readonly now: () => number = () => Date.now(),
  ) {}

  get enabled(): boolean {
    return this.settings.ttlMs > 0;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Something in the database may have changed: nothing held is served again. */
  invalidate(): void {
    this.generation++;
    if (this.entries.size > 0) this.stats.invalidations++;
    this.entries.clear();
  }

  /** Noted just before an execution starts; store() needs it. */
  begin(): number {
    return this.generation;
  }

  /**
   * The answer of the same query executing for another request since nothing changed, when there is
   * one: after a write or an expiry, 50 requests for one page execute it once. Resolves undefined
   * when that execution stores nothing, or after FOLLOW_TIMEOUT_MS.
   */
  follow(key: string): Promise<Data | undefined> | undefined {
    const execution = this.executing.get(key);
    if (!execution || execution.generation !== this.generation || !this.coherence.trusted) return undefined;
    const timeout = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), FOLLOW_TIMEOUT_MS).unref());
    return Promise.race([execution.answer, timeout]);
  }

  /** Marks `key` as executing from `generation`; the returned function ends it with the answer stored, if any. */
  lead(key: string, generation: number): (stored: Data | undefined) => void {
    let finish: (stored: Data | undefined) => void = () => {};
    const execution: Execution = { generation, answer: new Promise((resolve) => (finish = resolve)) };
    this.executing.set(key, execution);
    return (stored) => {
      if (this.executing.get(key) === execution) this.executing.delete(key);
      finish(stored);
    };
  }

  lookup(key: string): Data | undefined {
    if (!this.enabled || !this.coherence.trusted) return undefined;
    const entry = this.entries.get(key);
    if (!entry || this.now() >= entry.expiresAt) {
      if (entry) this.entries.delete(key);
      this.stats.misses++;
      return undefined;
    }
    // Most recently used last: eviction takes the first.
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.stats.hits++;
    return entry.data;
  }

  /**
   * Keeps `data`, computed by an execution that began at `generation`, unless something changed
   * since; `changesAt` (ms since the epoch): when the answer changes without a write. Whether it kept it.
   */
  store(key: string, generation: number, data: Data, changesAt = Infinity): boolean {
    if (!this.enabled || generation !== this.generation || !this.coherence.trusted) return false;
    const expiresAt = Math.min(this.now() + this.settings.ttlMs, changesAt);
    if (expiresAt <= this.now()) return false;
    this.entries.delete(key);
    this.entries.set(key, { expiresAt, data });
    if (!this.texts.has(data)) this.texts.set(data, null);
    this.stats.stores++;
    while (this.entries.size > this.settings.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return true;
  }

  /** JSON.stringify(data) when `data` is an answer this cache stored (computed once), else undefined. */
  textOf(data: Data): string | undefined {
    const text = this.texts.get(data);
    if (text !== null) return text;
    const computed = JSON.stringify(data);
    this.texts.set(data, computed);
    return computed;
  }
}

/**
 * Apollo's stringifyResult: the very text Apollo's own (JSON.stringify of errors, data, extensions,
 * then a newline) would send, with the text of a stored `data` spliced in rather than stringified on
 * every hit. Apollo hands over { errors, data, extensions } in that order; undefined ones are left out.
 */
export function stringifyAnswer(cache: ResponseCache, result: FormattedExecutionResult): string {
  const dataText = result.errors === undefined && result.data ? cache.textOf(result.data) : undefined;
  if (dataText === undefined) return `${JSON.stringify(result)}\n`;
  const extensions = result.extensions === undefined ? '' : `,"extensions":${JSON.stringify(result.extensions)}`;
  return `{"data":${dataText}${extensions}}\n`;
}

/** Who the answer was computed for: everything of the viewer that the resolvers read besides the data. */
function viewerKeyOf(viewer: RequestContext['viewer']): string {
  if (!viewer) return '-';
  return `${viewer.id}:${viewer.role}:${viewer.suspendedAt?.getTime() ?? ''}:${viewer.suspendedUntil?.getTime() ?? ''}`;
}

/** A request header that asks for a fresh answer (Cache-Control: no-cache or no-store): executed, not stored. */
function asksForFreshAnswer(headers: { get(name: string): string | undefined } | undefined): boolean {
  return /\bno-(cache|store)\b/i.test(headers?.get('cache-control') ?? '');
}

/** Serves repeat HTTP queries from `cache` and stores the answers of the others. */
export function responseCachePlugin(cache: ResponseCache): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart({ request }) {
      if (!cache.enabled || asksForFreshAnswer(request.http?.headers)) return;
      let key: string | null = null;
      let generation = 0;
      let served = false;
      let finish: ((stored: Record<string, unknown> | undefined) => void) | null = null;
      return {
        async responseForOperation({ operation, request, queryHash, contextValue }) {
          if (operation.operation !== 'query') return null;
          // A suspension in force ends by itself; what the viewer sees may change with it.
          if (contextValue.viewer?.isSuspendedAt(new Date())) changesByItselfAt(contextValue, contextValue.viewer.suspendedUntil);
          key = `${viewerKeyOf(contextValue.viewer)}\n${queryHash}\n${request.operationName ?? ''}\n${JSON.stringify(request.variables ?? {})}`;
          const data = cache.lookup(key) ?? (await cache.follow(key));
          if (data === undefined) {
            generation = cache.begin();
            finish = cache.lead(key, generation);
            return null;
          }
          served = true;
          return { http: { status: undefined, headers: new HeaderMap() }, body: { kind: 'single', singleResult: { data } } };
        },
        async willSendResponse({ response, contextValue }) {
          if (key === null || served) return;
          const result = response.body.kind === 'single' ? response.body.singleResult : null;
          const stored = result?.data && !result.errors?.length && cache.store(key, generation, result.data, contextValue.answerChangesAt);
          finish?.(stored ? (result?.data ?? undefined) : undefined);
        },
      };
    },
  };
}
