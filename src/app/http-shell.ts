/**
 * The HTTP shell around the GraphQL endpoint: request ids, /healthz and
 * /livez, /metrics, the 503 answer while the server starts, JSON 404s (also
 * for any path under /graphql/), JSON body errors (413 over MAX_BODY_BYTES),
 * and the server's own timeouts. It knows nothing of GraphQL beyond the handler it
 * is given once Apollo has started.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import express, { NextFunction, Request, Response } from 'express';
import type { HttpConfig } from '../config';
import type { Database } from '../db/database';
import { ErrorCode, INTERNAL_ERROR_MESSAGE } from '../graphql/errors';
import { SERVICE_UNAVAILABLE_RETRY_AFTER_S } from '../graphql/http-status';
import type { Logger } from '../logger';
import type { Metrics } from './metrics';

const HEALTH_TIMEOUT_MS = 2000;
const RECENT_SUCCESS_MS = 2000;
/** A request id a client may choose (else one is made): short, and safe in a header and a log line. */
const REQUEST_ID = /^[\w.-]{1,64}$/;

export interface HttpShell {
  app: express.Express;
  httpServer: http.Server;
  /** Serve GraphQL with `handler` from now on (until then /graphql answers 503). */
  serveGraphql(handler: express.RequestHandler): void;
  /** /healthz answers 200 only while this is true (false while starting and draining). */
  setReady(ready: boolean): void;
}

/** Per app: reports an error the shell answers on /graphql (graphql_errors_total and a log line). */
const refusalReporters = new WeakMap<object, (res: Response, status: number, code: ErrorCode) => void>();

/**
 * A GraphQL-shaped JSON error. Those answered on /graphql (too large, not JSON, starting, refused
 * before Apollo) are counted with the errors of operations and logged as refused requests, under
 * the request id the client got; others (/metrics, unknown paths) are not.
 */
function jsonError(res: Response, status: number, code: ErrorCode, message: string): void {
  if (res.req.originalUrl.startsWith('/graphql')) refusalReporters.get(res.app)?.(res, status, code);
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

/**
 * GET /metrics (Prometheus text format). With a token configured, only
 * `Authorization: Bearer <token>` may read it (compared in constant time).
 */
function metricsHandler(metrics: Metrics, token: string | null): express.RequestHandler {
  const expected = token === null ? null : Buffer.from(token);
  return async (req, res) => {
    if (expected) {
      const given = Buffer.from(/^Bearer +(.+)$/i.exec(req.header('authorization')?.trim() ?? '')?.[1] ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        res.setHeader('www-authenticate', 'Bearer');
        jsonError(res, 401, ErrorCode.UNAUTHENTICATED, 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>.');
        return;
      }
    }
    const text = await metrics.exposition();
    res.setHeader('content-type', metrics.contentType);
    res.send(text);
  };
}

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
function httpServerOptions(timeouts: HttpConfig): http.ServerOptions {
  return {
    headersTimeout: timeouts.headersTimeoutMs,
    requestTimeout: timeouts.requestTimeoutMs,
    connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(timeouts.headersTimeoutMs / 4))),
  };
}

/**
 * GET /healthz: 503 while starting or draining; while writes are failing (a failed COMMIT, a full
 * disk), a probe write says when they commit again (reads alone would call a database healthy
 * that stores nothing); otherwise a recent success or a ping.
 */
function healthHandler(db: Database, logger: Logger, isReady: () => boolean): express.RequestHandler {
  return async (_req, res) => {
    if (!isReady()) {
      res.status(503).json({ status: 'starting' });
      return;
    }
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
    // Reads run beside the SQLite writer and keep succeeding while a write hangs: a writer held
    // longer than a health check may wait, with writes queued behind it, is unhealthy.
    if (db.writerStalledForMs() > HEALTH_TIMEOUT_MS) {
      logger.warn('health check: writes are stuck behind one unit of work', { heldForMs: db.writerStalledForMs() });
      res.status(503).json({ status: 'writes stalled' });
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
  };
}

/** Bodies from this size on have their ETag remembered (smaller ones hash about as fast as they compare), up to the largest. */
const REMEMBERED_ETAG_MIN_BYTES = 4_096;
const REMEMBERED_ETAG_MAX_BYTES = 256 * 1024;
/** Bodies remembered, one per byte length; the least recently hashed forgotten first. */
const REMEMBERED_ETAGS = 32;

type EtagOf = (body: Buffer | string, encoding?: BufferEncoding) => string;

/**
 * Express's own ETag (weak: a SHA-1 of the body) on every response, as before, remembered for large
 * bodies sent again byte for byte: a response-cache hit sends the same 12 KB to every reader, and
 * comparing those bytes with the body hashed last time costs a fraction of hashing them again.
 */
export function rememberingEtags(etagOf: EtagOf): EtagOf {
  const kept = new Map<number, { body: Buffer; etag: string }>();
  return (body, encoding) => {
    if (!Buffer.isBuffer(body) || body.length < REMEMBERED_ETAG_MIN_BYTES || body.length > REMEMBERED_ETAG_MAX_BYTES) return etagOf(body, encoding);
    const known = kept.get(body.length);
    if (known?.body.equals(body)) return known.etag;
    const etag = etagOf(body, encoding);
    kept.delete(body.length);
    // A copy: the body itself belongs to the response being written.
    kept.set(body.length, { body: Buffer.from(body), etag });
    if (kept.size > REMEMBERED_ETAGS) kept.delete(kept.keys().next().value as number);
    return etag;
  };
}

export interface HttpShellParts {
  db: Database;
  logger: Logger;
  timeouts: HttpConfig;
  metrics: Metrics;
  /** Bearer token /metrics requires; null: open. */
  metricsToken: string | null;
  /** CORS for /graphql (preflights answered here, before the server is ready). */
  cors: express.RequestHandler;
  /** The browser pages (src/web), mounted before the JSON 404. */
  web: express.Router;
  /**
   * A page for a browser opening /graphql itself (the IDE), asked before the endpoint: it answers
   * and returns true, or returns false to leave the request to the endpoint. Null: none.
   */
  graphqlPage: ((req: Request, res: Response) => boolean) | null;
}

/** What operators and supervisors ask: readiness, liveness, metrics. */
function probeRoutes(app: express.Express, parts: HttpShellParts, isReady: () => boolean): void {
  app.get('/healthz', healthHandler(parts.db, parts.logger, isReady));
  // Alive: the process answers. Never touches the database (a supervisor restarts a process that
  // fails this, and restarting does not cure a database outage; /healthz reports that).
  app.get('/livez', (_req, res) => {
    res.status(200).json({ status: 'alive' });
  });
  app.get('/metrics', metricsHandler(parts.metrics, parts.metricsToken));
}

export function createHttpShell(parts: HttpShellParts): HttpShell {
  const { logger, metrics } = parts;
  let ready = false;
  let graphqlHandler: express.RequestHandler | null = null;

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', rememberingEtags(app.get('etag fn') as EtagOf));
  refusalReporters.set(app, (res, status, code) => {
    metrics.errorsSent([code]);
    logger.info('request refused', { requestId: res.locals.requestId, status, code });
  });
  const httpServer = http.createServer(httpServerOptions(parts.timeouts), app);
  httpServer.keepAliveTimeout = parts.timeouts.keepAliveTimeoutMs;

  // Every response carries a request id; an INTERNAL_SERVER_ERROR quotes it too.
  app.use((req, res, next) => {
    const supplied = req.headers['x-request-id'];
    const requestId = typeof supplied === 'string' && REQUEST_ID.test(supplied) ? supplied : randomUUID();
    res.locals.requestId = requestId;
    res.setHeader('x-request-id', requestId);
    next();
  });

  // /graphql first, as one layer (CORS, then the endpoint): every operation passes here, and each
  // layer before it cost a path match per request. The paths do not overlap, so the order changes
  // no answer.
  const { cors, graphqlPage } = parts;
  const serveEndpoint: express.RequestHandler = (req, res, next) => {
    // /graphql itself only: /graphql/anything is the JSON 404 below, not Apollo.
    if (req.originalUrl.split('?')[0] !== '/graphql') return next();
    if (graphqlPage?.(req, res)) return;
    if (!graphqlHandler) {
      res.setHeader('retry-after', String(SERVICE_UNAVAILABLE_RETRY_AFTER_S));
      jsonError(res, 503, ErrorCode.SERVICE_UNAVAILABLE, 'The server is starting; retry shortly.');
      return;
    }
    graphqlHandler(req, res, next);
  };
  app.use('/graphql', (req, res, next) => cors(req, res, (error?: unknown) => (error ? next(error) : serveEndpoint(req, res, next))));

  probeRoutes(app, parts, () => ready);
  app.use(parts.web);

  app.use((_req, res) =>
    jsonError(
      res,
      404,
      ErrorCode.NOT_FOUND,
      'Nothing here: the API is POST /graphql (and ws:// on the same path), health is GET /healthz and /livez, metrics GET /metrics.',
    ),
  );

  // Body parser failures (too large, malformed JSON) as GraphQL-shaped JSON, not HTML pages.
  app.use((error: { status?: number; type?: string }, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    if (error.type === 'entity.too.large') {
      return jsonError(res, 413, ErrorCode.BAD_REQUEST, `The request body exceeds ${parts.timeouts.maxBodyBytes} bytes (MAX_BODY_BYTES).`);
    }
    if (error.status && error.status >= 400 && error.status < 500) {
      return jsonError(res, error.status, ErrorCode.BAD_REQUEST, 'The request body is not valid JSON.');
    }
    logger.child({ requestId: res.locals.requestId }).error('unhandled HTTP error', { error });
    // A browser page (src/web) leaves its own answer: an HTML page under its headers, not the API's JSON.
    if (typeof res.locals.answerError === 'function') return (res.locals.answerError as () => void)();
    return jsonError(res, 500, ErrorCode.INTERNAL_SERVER_ERROR, INTERNAL_ERROR_MESSAGE);
  });

  return {
    app,
    httpServer,
    serveGraphql: (handler) => {
      graphqlHandler = handler;
    },
    setReady: (value) => {
      ready = value;
    },
  };
}
