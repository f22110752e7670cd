/**
 * The object graph of one server, built once: logger, metrics, event bus,
 * database, services and the live hub. Nothing here opens a connection, a port or a
 * subscription; src/app/server.ts starts them as ordered steps.
 */
import type { Config } from '../config';
import { createDataSource } from '../db/data-source';
import { Database } from '../db/database';
import { MIGRATIONS } from '../db/migrations';
import { QueryLog } from '../db/query-log';
import type { Logger } from '../logger';
import { ENTITIES } from '../modules/entities';
import { DomainEvent, isDomainEvent } from '../modules/events';
import { LiveHub } from '../modules/live/live-hub';
import { createSharedLoaders, withViewer } from '../modules/loaders';
import { createServices, Services } from '../modules/services';
import { DomainEventBus } from '../realtime/domain-events';
import { CacheCoherence } from './cache-coherence';
import { Metrics } from './metrics';
import { ResponseCache } from './response-cache';
import { RateLimits } from './rate-limits';
import { createOriginPolicy, OriginPolicy } from './origins';

export interface Container {
  config: Config;
  logger: Logger;
  /** This instance's Prometheus registry and the per-operation log line (GET /metrics). */
  metrics: Metrics;
  events: DomainEventBus<DomainEvent>;
  /** Counts every SQL statement sent (tests assert constant query counts). */
  queryLog: QueryLog;
  db: Database<DomainEvent>;
  services: Services;
  liveHub: LiveHub;
  /** Rate limits of the API edge (HTTP resolvers and WebSocket subscribes); in Redis when REDIS_URL is set. */
  rateLimits: RateLimits;
  /** Which browser origins may open sockets and get CORS headers (ALLOWED_ORIGINS and the server's own). */
  origins: OriginPolicy;
  /** Whether caches kept across requests may trust what they hold (bypassed while the Redis relay is deaf). */
  cacheCoherence: CacheCoherence;
  /** Answers of HTTP queries kept until the next write on any instance. */
  responseCache: ResponseCache;
}

export function createContainer(config: Config, logger: Logger): Container {
  const events = new DomainEventBus(isDomainEvent, (error, event) => logger.error('domain event listener failed', { error, event }));
  const queryLog = new QueryLog(logger);
  const dataSource = createDataSource(config.database, { entities: ENTITIES, migrations: MIGRATIONS, logger: queryLog });
  const db = new Database(dataSource, events, logger, { sqliteReaders: config.sqliteReaders });
  const services = createServices(db, logger, { minGroupSize: config.insights.minGroupSize });
  // The live hub reads through the services, never the other way round.
  const liveHub = new LiveHub(
    {
      posts: services.posts,
      polls: services.pollReads,
      comments: services.comments,
      reports: services.reports,
      createSharedLoaders: () => createSharedLoaders(services),
      withViewer: (shared, viewerId) => withViewer(shared, services, viewerId),
    },
    events,
    { ...config.live, minGroupSize: config.insights.minGroupSize },
    logger,
  );
  const metrics = new Metrics();
  db.observe(metrics.unitOfWork);
  metrics.watch({
    events: () => events.stats,
    dbQueueLength: () => db.queueLength,
    subscriptionsByField: () => liveHub.registry.byField(),
    liveMessages: () => liveHub.messageCounts(),
  });
  // Counts shared through Redis are namespaced per database, like the event channel.
  const rateLimits = new RateLimits(config.rateLimits, {
    redisUrl: config.redisUrl,
    namespace: `peer-community:rate-limits:${databaseKey(config)}`,
    logger,
    onLimited: (limit) => metrics.rateLimited(limit),
  });
  const cacheCoherence = new CacheCoherence(config.redisUrl !== null);
  const responseCache = createResponseCache(config, db, events, cacheCoherence);
  metrics.watch({ responseCache: () => responseCache.stats });
  return {
    config,
    logger,
    metrics,
    events,
    queryLog,
    db,
    services,
    liveHub,
    rateLimits,
    origins: createOriginPolicy(config.allowedOrigins),
    cacheCoherence,
    responseCache,
  };
}

/**
 * The response cache, dropped by every write of this process and every event from another; a write
 * of this process that published no event of its own tells the other instances with `dataChanged`
 * (at most one per turn of the event loop, only when scaled out).
 */
function createResponseCache(config: Config, db: Database<DomainEvent>, events: DomainEventBus<DomainEvent>, coherence: CacheCoherence): ResponseCache {
  const cache = new ResponseCache(config.responseCache, coherence);
  let relayScheduled = false;
  db.writesEnded.add((eventsPublished) => {
    cache.invalidate();
    if (eventsPublished > 0 || !config.redisUrl || relayScheduled) return;
    relayScheduled = true;
    setImmediate(() => {
      relayScheduled = false;
      events.publish({ type: 'dataChanged' });
    });
  });
  events.subscribe(() => cache.invalidate());
  coherence.onReset(() => cache.invalidate());
  return cache;
}

/** What identifies the database instances share: host, port and database name (never the password). */
export function databaseKey(config: Config): string {
  if (config.database.type === 'sqlite') return `sqlite:${config.database.path}`;
  const url = new URL(config.database.url);
  return `${url.hostname}:${url.port || 5432}${url.pathname}`;
}
