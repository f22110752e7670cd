/**
 * The object graph of one server, built once: logger, event bus, database,
 * services and the live hub. Nothing here opens a connection, a port or a
 * subscription; src/app/server.ts starts them as ordered steps.
 */
import type { Config } from '../config';
import { createDataSource } from '../db/data-source';
import { Database } from '../db/database';
import { MIGRATIONS } from '../db/migrations';
import { QueryLog } from '../db/query-log';
import type { Logger } from '../logger';
import { ENTITIES } from '../modules/entities';
import { LiveHub } from '../modules/live/live-hub';
import { createSharedLoaders, withViewer } from '../modules/loaders';
import { createServices, Services } from '../modules/services';
import { DomainEventBus } from '../realtime/domain-events';
import { createOriginPolicy, OriginPolicy } from './origins';

export interface Container {
  config: Config;
  logger: Logger;
  events: DomainEventBus;
  /** Counts every SQL statement sent (tests assert constant query counts). */
  queryLog: QueryLog;
  db: Database;
  services: Services;
  liveHub: LiveHub;
  /** Which browser origins may open sockets and get CORS headers (ALLOWED_ORIGINS and the server's own). */
  origins: OriginPolicy;
}

export function createContainer(config: Config, logger: Logger): Container {
  const events = new DomainEventBus((error, event) => logger.error('domain event listener failed', { error, event }));
  const queryLog = new QueryLog(logger);
  const dataSource = createDataSource(config.database, { entities: ENTITIES, migrations: MIGRATIONS, logger: queryLog });
  const db = new Database(dataSource, events, logger);
  const services = createServices(db, logger);
  // The live hub reads through the services, never the other way round.
  const liveHub = new LiveHub(
    {
      posts: services.posts,
      polls: services.pollReads,
      comments: services.comments,
      createSharedLoaders: () => createSharedLoaders(services),
      withViewer: (shared, viewerId) => withViewer(shared, services, viewerId),
    },
    events,
    config.live,
    logger,
  );
  return { config, logger, events, queryLog, db, services, liveHub, origins: createOriginPolicy(config.allowedOrigins) };
}
