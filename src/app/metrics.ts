/**
 * Prometheus metrics of one server instance (prom-client), served by the
 * HTTP shell at GET /metrics, and the per-operation log line: both
 * transports report each operation here (OperationObserver), so HTTP and
 * the WebSocket are counted and logged by one implementation.
 *
 * - One registry per server instance (tests run several servers in one
 *   process); the process metrics (CPU, memory, event loop, GC) are facts of
 *   the process, so they live in one registry per process, appended.
 * - The layers below know nothing of prom-client: the unit of work reports
 *   waits through UnitOfWorkObserver; queue lengths, subscription counts,
 *   live message counts and event stats are plain numbers read when
 *   Prometheus scrapes (the collect functions below).
 * - Label values stay bounded: error codes are a closed set; operation names
 *   come from clients, so only the first MAX_OPERATION_NAMES distinct ones
 *   get their own series, later ones count as "other".
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { UnitOfWorkObserver } from '../db/database';
import type { OperationObserver, OperationReport } from '../graphql/operation-report';
import type { Logger } from '../logger';
import type { LiveMessageCounts } from '../realtime/live-queue';
import type { RelayStats } from '../realtime/redis-relay';
import type { ResponseCacheStats } from './response-cache';

const MAX_OPERATION_NAMES = 100;

/** What the gauges and stat counters read at scrape time; each part is attached when it exists. */
export interface MetricSources {
  wsConnections(): number;
  subscriptionsByField(): Record<string, number>;
  liveMessages(): Array<{ field: string; counts: LiveMessageCounts }>;
  events(): { published: number; received: number };
  relay(): RelayStats | null;
  dbQueueLength(): number;
  responseCache(): ResponseCacheStats;
}

let processRegistry: Registry | null = null;

/** Process metrics, collected once per process whatever the number of servers in it. */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

type Sample = [labels: Record<string, string>, value: number];

export class Metrics implements OperationObserver {
  readonly registry = new Registry();
  private readonly sources: Partial<MetricSources> = {};
  private readonly operationNames = new Set<string>();
  private readonly operations: Counter<'operation' | 'type' | 'outcome'>;
  private readonly durations: Histogram<'operation' | 'type'>;
  private readonly errors: Counter<'code'>;
  private readonly rateLimitedTotal: Counter<'limit'>;
  private readonly unitWait: Histogram;
  /** Subscription fields seen, so a field whose last subscriber left reads 0 rather than vanishing. */
  private readonly fieldsSeen = new Set<string>();

  /** What the unit of work calls (src/db knows nothing of prom-client). */
  readonly unitOfWork: UnitOfWorkObserver = { waited: (ms) => this.unitWait.observe(ms / 1000) };

  constructor() {
    processMetrics(); // CPU and event-loop figures count from the start, not from the first scrape
    const registers = [this.registry];
    this.operations = new Counter({
      name: 'graphql_operations_total',
      help: 'GraphQL operations answered over HTTP, and subscriptions started or refused over WebSocket, by outcome (ok: no error).',
      labelNames: ['operation', 'type', 'outcome'],
      registers,
    });
    this.durations = new Histogram({
      name: 'graphql_operation_duration_seconds',
      help: 'HTTP: from authentication to the response; WebSocket: from subscribe to the subscription started or refused.',
      labelNames: ['operation', 'type'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.errors = new Counter({
      name: 'graphql_errors_total',
      help: 'Errors sent to clients by extensions.code, including requests refused before an operation ran (bad token, body too large, starting, rate limited).',
      labelNames: ['code'],
      registers,
    });
    this.rateLimitedTotal = new Counter({ name: 'rate_limited_total', help: 'Requests refused by a rate limit, by limit.', labelNames: ['limit'], registers });
    this.unitWait = new Histogram({
      name: 'db_unit_of_work_wait_seconds',
      help: 'Time a unit of work waited for its turn on the SQLite connection (not measured on PostgreSQL).',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.defineGauges();
    this.defineStatCounters();
  }

  /** Attaches what the gauges read (the WebSocket server, the relay, ... as each starts). */
  watch(sources: Partial<MetricSources>): void {
    Object.assign(this.sources, sources);
  }

  /** A request refused by the rate limit `limit` (e.g. "login", "writes"). */
  rateLimited(limit: string): void {
    this.rateLimitedTotal.inc({ limit });
  }

  operationFinished(logger: Logger, report: OperationReport): void {
    const outcome = report.errorCodes.length === 0 ? 'ok' : 'error';
    const labels = { operation: this.operationLabel(report), type: report.type ?? 'unknown' };
    this.operations.inc({ ...labels, outcome });
    this.durations.observe(labels, report.durationMs / 1000);
    this.errorsSent(report.errorCodes);
    logger.info('graphql operation', lineOf(report, outcome));
  }

  subscriptionEnded(logger: Logger, report: OperationReport): void {
    // Counted when it started; its errors were counted as they were sent.
    logger.info('subscription ended', lineOf(report, report.errorCodes.length === 0 ? 'ok' : 'error'));
  }

  errorsSent(codes: readonly string[]): void {
    for (const code of codes) this.errors.inc({ code });
  }

  /** The text Prometheus scrapes: this server's metrics, then the process's. */
  async exposition(): Promise<string> {
    return (await this.registry.metrics()) + (await processMetrics().metrics());
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private operationLabel(report: OperationReport): string {
    if (report.type === null) return 'invalid';
    if (report.name === null) return 'anonymous';
    if (this.operationNames.has(report.name)) return report.name;
    if (this.operationNames.size >= MAX_OPERATION_NAMES) return 'other';
    this.operationNames.add(report.name);
    return report.name;
  }

  private defineGauges(): void {
    const registers = [this.registry];
    const sources = this.sources;
    const fieldsSeen = this.fieldsSeen;
    new Gauge({
      name: 'ws_connections',
      help: 'Open WebSocket connections.',
      registers,
      collect() {
        this.set(sources.wsConnections?.() ?? 0);
      },
    });
    new Gauge({
      name: 'ws_subscriptions',
      help: 'Active subscriptions by root field.',
      labelNames: ['field'],
      registers,
      collect() {
        const counts = sources.subscriptionsByField?.() ?? {};
        for (const field of Object.keys(counts)) fieldsSeen.add(field);
        for (const field of fieldsSeen) this.set({ field }, counts[field] ?? 0);
      },
    });
    new Gauge({
      name: 'db_unit_of_work_queue_length',
      help: 'Units of work waiting for the SQLite connection (PostgreSQL: requests waiting for a pooled connection).',
      registers,
      collect() {
        this.set(sources.dbQueueLength?.() ?? 0);
      },
    });
  }

  /** Counters whose truth is a stats object kept elsewhere: set from it at scrape time. */
  private defineStatCounters(): void {
    const sources = this.sources;
    const statCounter = (name: string, help: string, labelNames: string[], read: () => Sample[]) =>
      new Counter({
        name,
        help,
        labelNames,
        registers: [this.registry],
        collect() {
          this.reset();
          for (const [labels, value] of read()) this.inc(labels, value);
        },
      });
    const live = () => sources.liveMessages?.() ?? [];
    statCounter('live_messages_sent_total', 'Live messages handed to WebSocket subscribers, by field.', ['field'], () =>
      live().map(({ field, counts }) => [{ field }, counts.sent]),
    );
    statCounter(
      'live_messages_dropped_total',
      'Live messages not sent: superseded by a newer state before the client took it (conflation), or discarded when a subscriber was ended as too slow.',
      ['field', 'reason'],
      () =>
        live().flatMap(({ field, counts }): Sample[] => [
          [{ field, reason: 'superseded' }, counts.superseded],
          [{ field, reason: 'slow_consumer' }, counts.discarded],
        ]),
    );
    statCounter('domain_events_published_total', 'Domain events published by this instance after their commit.', [], () => [
      [{}, sources.events?.().published ?? 0],
    ]);
    statCounter('domain_events_received_total', 'Domain events received from other instances (Redis).', [], () => [[{}, sources.events?.().received ?? 0]]);
    const relay = () => sources.relay?.() ?? null;
    statCounter('redis_relay_published_total', 'Messages published to Redis for other instances.', [], () => [[{}, relay()?.published ?? 0]]);
    statCounter('redis_relay_publish_failures_total', 'Publishes to Redis that failed (Redis unreachable): other instances resync later.', [], () => [
      [{}, relay()?.publishFailures ?? 0],
    ]);
    statCounter('live_resyncs_total', 'Times live subscribers were refreshed from the database after Redis came back.', [], () => [
      [{}, relay()?.resyncs ?? 0],
    ]);
    const cache = () => sources.responseCache?.();
    statCounter(
      'response_cache_lookups_total',
      'HTTP queries looked up in the response cache, by result (hit: answered without execution).',
      ['result'],
      () => [
        [{ result: 'hit' }, cache()?.hits ?? 0],
        [{ result: 'miss' }, cache()?.misses ?? 0],
      ],
    );
    statCounter(
      'response_cache_invalidations_total',
      'Times the response cache dropped what it held because something changed (a write here or on another instance).',
      [],
      () => [[{}, cache()?.invalidations ?? 0]],
    );
  }
}

function lineOf(report: OperationReport, outcome: 'ok' | 'error') {
  return {
    transport: report.transport,
    operation: report.name,
    type: report.type,
    durationMs: Math.round(report.durationMs * 10) / 10,
    outcome,
    ...(report.errorCodes.length > 0 ? { errorCodes: report.errorCodes } : {}),
  };
}
