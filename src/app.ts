/**
 * Composition root: config -> data source -> migrations -> demo data ->
 * schema -> HTTP. The HTTP server listens first so /healthz can answer 503
 * while the database is being prepared; /graphql answers 503 until then too.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { NextFunction, Request, Response } from 'express';
import type { DataSource } from 'typeorm';
import type { Config } from './config';
import { createDataSource } from './db/data-source';
import { Database } from './db/database';
import { withPreparationLock } from './db/prepare';
import { QueryLog } from './db/query-log';
import { MIGRATIONS } from './db/migrations';
import { loadDemoCommunity } from './demo/load-demo';
import { ClientError, ErrorCode, InternalError, UnauthenticatedError } from './graphql/errors';
import { formatError, INTERNAL_ERROR_MESSAGE, isClientSafe } from './graphql/format-error';
import { assertQuerySize, fragmentsOf } from './graphql/query-size';
import { createLogger, Logger } from './logger';
import type { RequestContext } from './modules/context';
import { ENTITIES } from './modules/entities';
import { createLoaders } from './modules/loaders';
import { Member } from './modules/member/member.entity';
import { buildAppSchema } from './modules/schema';
import { createServices, Services } from './modules/services';
import { DomainEventBus } from './realtime/domain-events';
import { channelFor, RedisEventRelay } from './realtime/redis-relay';
import { LiveServer, startLiveServer } from './realtime/ws-server';

export interface RunningServer {
  url: string;
  port: number;
  services: Services;
  events: DomainEventBus;
  dataSource: DataSource;
  db: Database;
  /** The Redis relay when REDIS_URL is set (stats: published, publishFailures, received, resyncs). */
  relay: () => RedisEventRelay | null;
  /** Counts every SQL statement sent (tests assert constant query counts). */
  queryLog: QueryLog;
  logger: Logger;
  stop(): Promise<void>;
}

const MAX_BODY = '1mb';
const HEALTH_TIMEOUT_MS = 2000;
const RECENT_SUCCESS_MS = 2000;
const REDIS_STARTUP_WAIT_MS = 2000;

/** Rejects with `message` when `promise` takes longer than `ms` (the work itself goes on). */
function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Timeouts of the HTTP server: a client that sends half a request (slowloris)
 * is cut off after the header or request timeout instead of holding a socket
 * for Node's defaults. Node checks them every connectionsCheckingInterval, so
 * that interval follows the shortest one. A WebSocket leaves the HTTP server's
 * bookkeeping once upgraded: none of these apply to it.
 */
function httpServerOptions(timeouts: Config['http']): http.ServerOptions {
  return {
    headersTimeout: timeouts.headersTimeoutMs,
    requestTimeout: timeouts.requestTimeoutMs,
    connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(timeouts.headersTimeoutMs / 4))),
  };
}

function jsonError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

/** Starts the whole server; resolves once it is listening and ready. */
export async function startServer(config: Config, options: { logger?: Logger } = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const events = new DomainEventBus((error, event) => logger.error('domain event listener failed', { error, event }));
  const queryLog = new QueryLog(logger);
  const dataSource = createDataSource(config.database, { entities: ENTITIES, migrations: MIGRATIONS, logger: queryLog });
  const db = new Database(dataSource, events, logger);
  const services = createServices(db, logger, events, config.live);

  let ready = false;
  let graphqlHandler: express.RequestHandler | null = null;

  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(httpServerOptions(config.http), app);
  httpServer.keepAliveTimeout = config.http.keepAliveTimeoutMs;

  // Every response carries a request id; an INTERNAL_SERVER_ERROR quotes it too.
  app.use((req, res, next) => {
    const supplied = req.header('x-request-id');
    const requestId = supplied && /^[\w.-]{1,64}$/.test(supplied) ? supplied : randomUUID();
    res.locals.requestId = requestId;
    res.setHeader('x-request-id', requestId);
    next();
  });

  app.get('/healthz', async (_req, res) => {
    if (!ready) {
      res.status(503).json({ status: 'starting' });
      return;
    }
    // While writes are failing (a failed COMMIT, a full disk), a probe write says when they commit
    // again; reads alone would call a database healthy that stores nothing.
    if (db.writesFailingSince !== null) {
      try {
        await withTimeout(db.probeWrite(), HEALTH_TIMEOUT_MS, 'database write probe timed out');
        res.status(200).json({ status: 'ok' });
      } catch (error) {
        logger.warn('health check: writes cannot commit', { error, failingSince: new Date(db.writesFailingSince ?? Date.now()).toISOString() });
        res.status(503).json({ status: 'writes failing' });
      }
      return;
    }
    // Under heavy write load a ping would wait behind every queued unit of work:
    // a unit that succeeded a moment ago already proves the database answers.
    if (Date.now() - db.lastSuccessAt < RECENT_SUCCESS_MS) {
      res.status(200).json({ status: 'ok' });
      return;
    }
    try {
      await withTimeout(db.ping(), HEALTH_TIMEOUT_MS, 'database ping timed out');
      res.status(200).json({ status: 'ok' });
    } catch (error) {
      logger.warn('health check failed', { error });
      res.status(503).json({ status: 'database unavailable' });
    }
  });

  app.use('/graphql', (req, res, next) => {
    if (!graphqlHandler) {
      jsonError(res, 503, ErrorCode.SERVICE_UNAVAILABLE, 'The server is starting; retry shortly.');
      return;
    }
    graphqlHandler(req, res, next);
  });

  app.use((_req, res) => jsonError(res, 404, 'NOT_FOUND', 'Nothing here: the API is POST /graphql (and ws:// on the same path), health is GET /healthz.'));

  // Body parser failures (too large, malformed JSON) as GraphQL-shaped JSON, not HTML pages.
  app.use((error: { status?: number; type?: string }, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    if (error.type === 'entity.too.large') return jsonError(res, 413, ErrorCode.BAD_USER_INPUT, `The request body exceeds ${MAX_BODY}.`);
    if (error.status && error.status >= 400 && error.status < 500) {
      return jsonError(res, error.status, 'BAD_REQUEST', 'The request body is not valid JSON.');
    }
    logger.error('unhandled HTTP error', { error });
    return jsonError(res, 500, ErrorCode.INTERNAL_SERVER_ERROR, INTERNAL_ERROR_MESSAGE);
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const port = (httpServer.address() as AddressInfo).port;

  let stopScheduler = () => {};
  let apollo: ApolloServer<RequestContext> | null = null;
  let liveServer: LiveServer | null = null;
  let relay: RedisEventRelay | null = null;
  const stop = async () => {
    ready = false; // /healthz says 503 while draining
    stopScheduler();
    // WebSockets first (closed with 1001), so the HTTP drain below is not held open by them.
    if (liveServer) await liveServer.close();
    services.live.stop();
    if (relay) {
      events.setRelay(null);
      await relay.stop();
    }
    if (apollo) await apollo.stop(); // drains in-flight requests and closes the HTTP server
    else await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    await db.idle();
    if (dataSource.isInitialized) await dataSource.destroy();
  };

  try {
    await db.connect();
    await withPreparationLock(dataSource, async () => {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      if (applied.length > 0) logger.info('applied migrations', { migrations: applied.map((m) => m.name) });
      if (config.loadDemoData) {
        const isEmpty = await db.read(async (manager) => (await manager.getRepository(Member).count()) === 0);
        if (isEmpty) {
          const started = Date.now();
          await db.write(({ manager }) => loadDemoCommunity(manager, new Date()));
          logger.info('loaded the demo community', { ms: Date.now() - started });
        }
      }
    });

    if (config.redisUrl) {
      relay = new RedisEventRelay(config.redisUrl, channelFor(databaseKey(config)), events, logger, () => services.live.resync());
      events.setRelay(relay);
      // Serve even when Redis is down at start-up: live updates across instances resume when it comes back.
      if (!(await relay.ready(REDIS_STARTUP_WAIT_MS))) logger.warn('redis is not reachable yet; serving anyway, retrying in the background');
    }

    const schema = await buildAppSchema();
    apollo = new ApolloServer<RequestContext>({
      schema,
      // Apollo would read process.env.NODE_ENV itself; config.ts is the only reader of the environment.
      nodeEnv: config.nodeEnv,
      introspection: !config.isProduction,
      // Without introspection, "Did you mean ...?" hints would still reveal field names.
      hideSchemaDetailsFromClientErrors: config.isProduction,
      csrfPrevention: true,
      includeStacktraceInErrorResponses: false,
      stopOnTerminationSignals: false, // main.ts owns shutdown
      formatError,
      plugins: [
        ApolloServerPluginDrainHttpServer({ httpServer }),
        errorLoggingPlugin(logger),
        operationGuardPlugin(),
        // No GraphQL IDE in production.
        ...(config.isProduction ? [ApolloServerPluginLandingPageDisabled()] : []),
      ],
    });
    await apollo.start();
    graphqlHandler = express.Router().use(
      express.json({ limit: MAX_BODY }),
      expressMiddleware(apollo, {
        context: async ({ req, res }): Promise<RequestContext> => {
          const requestId = String(res.locals.requestId);
          let auth: Awaited<ReturnType<typeof authenticate>>;
          try {
            auth = await authenticate(services, req.header('authorization'));
          } catch (error) {
            if (error instanceof ClientError) throw error;
            // Apollo's request hooks do not run when the context fails: log here, with the id the client gets.
            logger.error('request failed while authenticating', { requestId, error });
            throw new InternalError(requestId);
          }
          return {
            requestId,
            viewer: auth?.member ?? null,
            tokenHash: auth?.tokenHash ?? null,
            services,
            loaders: createLoaders(services, auth?.member.id ?? null),
            logger,
          };
        },
      }),
    );
    liveServer = startLiveServer({
      httpServer,
      path: '/graphql',
      schema,
      isProduction: config.isProduction,
      ...config.live,
      activeSubscriptions: (connectionId) => services.live.registry.countFor(connectionId),
      authenticate: async (authorization) => {
        if (authorization !== undefined && authorization !== null && typeof authorization !== 'string') {
          throw new UnauthenticatedError('connectionParams.authorization must be "Bearer <token>".');
        }
        return (await authenticate(services, authorization ?? undefined)) ?? null;
      },
      createContext: ({ viewer, connectionId, operationId, requestId }): RequestContext => ({
        requestId,
        viewer: viewer?.member ?? null,
        tokenHash: viewer?.tokenHash ?? null,
        services,
        loaders: createLoaders(services, viewer?.member.id ?? null),
        logger,
        live: { connectionId, operationId },
      }),
      logger,
    });
    stopScheduler = services.polls.startClosingScheduler(config.pollCloseIntervalMs);
    ready = true;
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }

  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  return { url: `http://${shownHost}:${port}/graphql`, port, services, events, dataSource, db, queryLog, logger, stop, relay: () => relay };
}

/** What identifies the database instances share: host, port and database name (never the password). */
function databaseKey(config: Config): string {
  if (config.database.type === 'sqlite') return `sqlite:${config.database.path}`;
  const url = new URL(config.database.url);
  return `${url.hostname}:${url.port || 5432}${url.pathname}`;
}

/**
 * No Authorization header: anonymous. A header that is not a valid, live
 * bearer token: UNAUTHENTICATED for the whole request, never anonymous, so
 * a client with a revoked token learns it at once.
 */
async function authenticate(services: Services, header: string | undefined): Promise<{ member: Member; tokenHash: string } | null> {
  if (header === undefined || header.trim() === '') return null;
  const match = /^Bearer\s+([A-Za-z0-9_-]{16,128})$/i.exec(header.trim());
  if (!match) throw new UnauthenticatedError('The Authorization header must be "Bearer <token>" with a token from signUp or logIn.');
  return services.members.authenticate(match[1]);
}

/**
 * Checks made once the operation is known: subscriptions belong to the
 * WebSocket (over HTTP they would run as a plain execute and fail), and no
 * operation may ask for more objects than MAX_OBJECTS_PER_OPERATION.
 */
function operationGuardPlugin(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request }) {
          if (!operation) return;
          if (operation.operation === 'subscription') {
            throw new ClientError('Subscriptions are served over WebSocket (graphql-ws) on this same URL: ws://<host>/graphql.', 'BAD_REQUEST' as ErrorCode, {
              http: { status: 400 },
            });
          }
          assertQuerySize(operation, fragmentsOf(document), request.variables ?? {});
        },
      };
    },
  };
}

/** Logs every error that formatError masks, with the request id the client receives. */
function errorLoggingPlugin(logger: Logger): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ contextValue, errors, operationName }) {
          for (const error of errors) {
            if (isClientSafe({ message: error.message, extensions: error.extensions }, error)) continue;
            logger.error('request failed', { requestId: contextValue?.requestId, operationName, path: error.path, error: error.originalError ?? error });
          }
        },
        async willSendResponse({ contextValue, response }) {
          if (response.body.kind !== 'single') return;
          for (const error of response.body.singleResult.errors ?? []) {
            if (error.extensions?.code === ErrorCode.INTERNAL_SERVER_ERROR) {
              (error.extensions as Record<string, unknown>).requestId = contextValue?.requestId;
            }
          }
        },
      };
    },
  };
}
