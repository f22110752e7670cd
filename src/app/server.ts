/**
 * Composition root: builds the object graph once (container.ts), then
 * starts the process as ordered steps, each with its own stop; shutdown
 * runs them in reverse. The HTTP server listens first, so /healthz can
 * answer 503 while the database is being prepared (/graphql answers 503
 * until Apollo has started).
 */
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { Config } from '../config';
import { withPreparationLock } from '../db/prepare';
import { loadDemoCommunity } from '../demo/load-demo';
import { ClientError, InternalError, UnauthenticatedError } from '../graphql/errors';
import type { GraphQLSchema } from 'graphql';
import { createLogger, Logger } from '../logger';
import type { RequestContext } from '../modules/context';
import { Member } from '../modules/member/member.entity';
import { buildAppSchema } from '../modules/schema';
import { channelFor, RedisEventRelay } from '../realtime/redis-relay';
import { LiveServer, startLiveServer } from '../realtime/ws-server';
import { createApollo, documentSourceGuard, withHttpHead } from './apollo';
import { Container, createContainer, databaseKey } from './container';
import { ideEntry, webRoutes } from '../web';
import { createHttpShell, HttpShell } from './http-shell';
import { startSteps, Step } from './lifecycle';
import { clientAddressOf } from './client-address';
import { authenticate, createContext, Viewer } from './request-context';
import { closeRevokedSockets, closeSocketsOfEndedSessions } from './session-revocation';

export interface RunningServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Handles into a running server for tests only (statement counts, feed
 * sizes, the event bus, the unit of work): not part of what `npm start` runs.
 */
export interface TestProbe extends Container {
  /** The Redis relay when REDIS_URL is set (stats: published, publishFailures, received, resyncs). */
  relay(): RedisEventRelay | null;
}

const REDIS_STARTUP_WAIT_MS = 2000;

/** Starts the whole server; resolves once it is listening and ready. */
export async function startServer(config: Config, options: { logger?: Logger } = {}): Promise<RunningServer> {
  return (await launch(config, options.logger ?? createLogger(config.logLevel))).server;
}

/** startServer for tests: the same server, plus a probe into it. */
export async function startServerWithProbe(config: Config, options: { logger?: Logger } = {}): Promise<{ server: RunningServer; probe: TestProbe }> {
  return launch(config, options.logger ?? createLogger(config.logLevel));
}

async function launch(config: Config, logger: Logger): Promise<{ server: RunningServer; probe: TestProbe }> {
  const container = createContainer(config, logger);
  const shell = createHttpShell({
    db: container.db,
    logger,
    timeouts: config.http,
    metrics: container.metrics,
    metricsToken: config.metricsToken,
    cors: container.origins.cors,
    web: webRoutes({ config: container.config, services: container.services }),
    graphqlPage: ideEntry(container.config),
  });
  let relay: RedisEventRelay | null = null;
  container.metrics.watch({ relay: () => relay?.stats ?? null });
  const steps = buildSteps(container, shell, (started) => (relay = started));
  const lifecycle = await startSteps(steps, logger);
  shell.setReady(true);

  const port = (shell.httpServer.address() as AddressInfo).port;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const server: RunningServer = {
    url: `http://${shownHost}:${port}/graphql`,
    port,
    stop: async () => {
      shell.setReady(false); // /healthz says 503 while draining
      await lifecycle.stop();
    },
  };
  return { server, probe: { ...container, relay: () => relay } };
}

/**
 * The steps of the process, in start order; each stop copes with a start that got only part of
 * the way. Shutdown runs them in reverse, which is the order that matters: no new polls closed,
 * WebSockets closed (1001), the live hub off the event bus, the Redis relay detached, in-flight
 * HTTP requests drained (their events stay on this instance), then the database.
 */
function buildSteps(container: Container, shell: HttpShell, onRelay: (relay: RedisEventRelay) => void): Step[] {
  const graphql = graphqlSteps(container, shell);
  // After a Redis outage events may have been lost: fresh snapshots for subscribers, and the sessions of open sockets checked again.
  const resync = () => {
    container.cacheCoherence.reset();
    container.liveHub.resync();
    graphql.recheckSessions();
  };
  return [
    listenStep(container.config, shell),
    databaseStep(container),
    graphql.apollo,
    rateLimitStoreStep(container),
    redisRelayStep(container, onRelay, resync),
    { name: 'live fan-out', start: async () => container.liveHub.start(), stop: async () => container.liveHub.stop() },
    graphql.openDoors,
    pollSchedulerStep(container),
  ];
}

function pollSchedulerStep({ services, config }: Container): Step {
  let stopScheduler = () => {};
  return {
    name: 'close polls at closesAt',
    start: async () => {
      stopScheduler = services.pollClosing.start(config.pollCloseIntervalMs);
    },
    stop: async () => stopScheduler(),
  };
}

function listenStep(config: Config, { httpServer }: HttpShell): Step {
  return {
    name: 'listen for HTTP',
    start: () =>
      new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(config.port, config.host, () => {
          httpServer.off('error', reject);
          resolve();
        });
      }),
    // Apollo's drain plugin closes the server when Apollo ran; otherwise it is closed here.
    stop: () => (httpServer.listening ? new Promise<void>((resolve) => httpServer.close(() => resolve())) : Promise.resolve()),
  };
}

function databaseStep(container: Container): Step {
  const { db, config, logger } = container;
  return {
    name: 'prepare the database',
    start: async () => {
      await db.connect();
      await withPreparationLock(db.dataSource, async () => {
        const applied = await db.dataSource.runMigrations({ transaction: 'each' });
        if (applied.length > 0) logger.info('applied migrations', { migrations: applied.map((m) => m.name) });
        if (config.loadDemoData) await loadDemoDataIfEmpty(container);
      });
    },
    stop: async () => {
      await db.close();
    },
  };
}

/**
 * The rate limits' Redis connection (when REDIS_URL is set). Not awaited: until it is ready the
 * limits count per process, and the relay's start-up wait that follows gives it time to connect.
 */
function rateLimitStoreStep({ rateLimits }: Container): Step {
  return { name: 'connect the rate limits to Redis', start: async () => rateLimits.start(), stop: () => rateLimits.stop() };
}

function redisRelayStep({ config, events, logger, cacheCoherence }: Container, onRelay: (relay: RedisEventRelay) => void, resync: () => void): Step {
  let relay: RedisEventRelay | null = null;
  return {
    name: 'relay live events through Redis',
    start: async () => {
      if (!config.redisUrl) return;
      relay = new RedisEventRelay(config.redisUrl, channelFor(databaseKey(config)), events, logger, resync);
      onRelay(relay);
      events.setRelay(relay);
      cacheCoherence.attach(relay);
      // Serve even when Redis is down at start-up: live updates across instances resume when it comes back.
      if (!(await relay.ready(REDIS_STARTUP_WAIT_MS))) logger.warn('redis is not reachable yet; serving anyway, retrying in the background');
    },
    stop: async () => {
      if (!relay) return;
      cacheCoherence.attach(null);
      events.setRelay(null);
      await relay.stop();
    },
  };
}

/**
 * GraphQL on one schema: Apollo is started first (its stop drains in-flight HTTP requests and
 * closes the HTTP server); the doors open last: the HTTP handler and the WebSocket server.
 */
function graphqlSteps(container: Container, shell: HttpShell): { apollo: Step; openDoors: Step; recheckSessions: () => void } {
  const { config, logger, services, metrics } = container;
  const { httpServer } = shell;
  let schema: GraphQLSchema | null = null;
  let apollo: ApolloServer<RequestContext> | null = null;
  let liveServer: LiveServer<Viewer> | null = null;
  let stopRevocations = () => {};
  return {
    recheckSessions: () => {
      if (!liveServer) return;
      closeSocketsOfEndedSessions(liveServer, services.members, logger).catch((error: unknown) =>
        logger.warn('could not check the sessions of open sockets; checked again at the next resync', { error }),
      );
    },
    apollo: {
      name: 'start Apollo',
      start: async () => {
        schema = await buildAppSchema(services);
        const server = createApollo(schema, config, httpServer, logger, metrics, container.responseCache);
        await server.start();
        apollo = server; // only a started Apollo may be stopped
      },
      stop: async () => {
        if (apollo) await apollo.stop(); // drains in-flight requests and closes the HTTP server
      },
    },
    openDoors: {
      name: 'serve GraphQL over HTTP and WebSocket',
      start: async () => {
        if (!apollo || !schema) throw new Error('Apollo must have started before the doors open');
        shell.serveGraphql(
          express
            .Router()
            .use(
              express.json({ limit: config.http.maxBodyBytes }),
              documentSourceGuard(config.limits),
              expressMiddleware(apollo, { context: httpContext(container) }),
            ),
        );
        liveServer = startAppLiveServer(container, httpServer, schema);
        stopRevocations = closeRevokedSockets(container.events, liveServer, container.logger);
        const live = liveServer;
        metrics.watch({ wsConnections: () => live.connectionCount() });
      },
      // WebSockets first (closed with 1001), so the HTTP drain of the Apollo step is not held open by them.
      stop: async () => {
        stopRevocations();
        if (liveServer) await liveServer.close();
      },
    },
  };
}

/** The WebSocket side on the HTTP server: the same schema, authentication, limits and context as HTTP. */
function startAppLiveServer(container: Container, httpServer: http.Server, schema: GraphQLSchema): LiveServer<Viewer> {
  const { config, services, liveHub, logger, metrics } = container;
  return startLiveServer<Viewer, RequestContext>({
    httpServer,
    path: '/graphql',
    schema,
    isProduction: config.isProduction,
    allowIntrospection: config.isIdeEnabled,
    limits: config.limits,
    ...config.live,
    activeSubscriptions: (connectionId) => liveHub.registry.countFor(connectionId),
    authenticate: async (authorization) => {
      if (authorization !== undefined && authorization !== null && typeof authorization !== 'string') {
        throw new UnauthenticatedError('connectionParams.authorization must be "Bearer <token>".');
      }
      return authenticate(services, authorization ?? undefined);
    },
    acceptOrigin: container.origins.acceptsHandshake,
    clientAddress: (request) => clientAddressOf(request.socket.remoteAddress, request.headers['x-forwarded-for'], config.trustProxy),
    admitSubscribe: (connection) => container.rateLimits.admitSubscribe(connection),
    createContext: ({ viewer, connectionId, operationId, requestId, clientAddress }) =>
      createContext(container, { requestId, viewer, clientAddress, live: { connectionId, operationId } }),
    logger,
    observer: metrics,
  });
}

/** The context of an HTTP request: the viewer from its bearer token, the client address (TRUST_PROXY). */
function httpContext(container: Container) {
  return async ({ req, res }: { req: express.Request; res: express.Response }): Promise<RequestContext> => {
    const requestId = String(res.locals.requestId);
    const startedAt = performance.now();
    const clientAddress = clientAddressOf(req.socket.remoteAddress, req.headers['x-forwarded-for'], container.config.trustProxy);
    try {
      return createContext(container, { requestId, startedAt, clientAddress, viewer: await authenticate(container.services, req.header('authorization')) });
    } catch (error) {
      // Apollo's request hooks do not run when the context fails: log here, with the id the client gets.
      const logger = container.logger.child({ requestId });
      if (error instanceof ClientError) {
        logger.info('request refused', { code: error.extensions.code, durationMs: Math.round((performance.now() - startedAt) * 10) / 10 });
        throw withHttpHead(error);
      }
      logger.error('request failed while authenticating', { error });
      throw withHttpHead(new InternalError(requestId));
    }
  };
}

async function loadDemoDataIfEmpty({ db, logger, config }: Container): Promise<void> {
  const isEmpty = await db.read(async (manager) => (await manager.getRepository(Member).count()) === 0);
  if (!isEmpty) return;
  const started = Date.now();
  await db.write(({ manager }) => loadDemoCommunity(manager, new Date(), config.insights.minGroupSize));
  logger.info('loaded the demo community', { ms: Date.now() - started });
}
