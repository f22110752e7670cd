/**
 * The WebSocket side of the GraphQL endpoint: graphql-ws (graphql-transport-ws
 * protocol) on the same HTTP server and path as HTTP.
 *
 * graphql-ws runs outside Apollo's pipeline (PITFALLS), so the protections
 * HTTP has are applied here explicitly:
 * - every `subscribe` is parsed and validated here; a broken document gets an
 *   `error` message for that operation only (graphql-ws would otherwise close
 *   the whole socket with 4500);
 * - the document limits HTTP applies (characters, tokens, depth, aliases,
 *   directives, cost, no introspection in production) come from the same
 *   src/graphql/document-limits.ts, refused per operation;
 * - only subscriptions are served: queries and mutations belong to HTTP,
 *   where CSRF prevention, limits and logging apply (BAD_REQUEST here);
 * - errors leave through the same formatError as HTTP (coded errors pass,
 *   anything else is masked and logged with an id);
 * - every `subscribe` message first passes the caller's `admitSubscribe`
 *   (rate limits: a refusal, e.g. RATE_LIMITED, is an `error` message for
 *   that operation, and the socket's other subscriptions go on);
 * - at most `maxSubscriptionsPerConnection` active subscriptions per socket
 *   (TOO_MANY_SUBSCRIPTIONS), frames over `maxPayloadBytes` close the socket
 *   with 1009 (ws), `connection_init` is awaited `connectionInitTimeoutMs`
 *   (then 4408), pings every `keepAliveMs` drop a silent client one interval
 *   later;
 * - ordering: the `subscribe` messages of one socket are handled one after
 *   the other, so a subscription is registered before anything is sent for
 *   a later one on the same socket;
 * - every subscription's start (or refusal) and end, and every error sent,
 *   go to the same observer as HTTP operations (log line, metrics); errors
 *   of the `ws` library are one JSON log line, never console.error.
 * - browsers' handshakes are checked against `acceptOrigin` before the
 *   upgrade: a refused one gets HTTP 403 and never becomes a socket;
 * - sockets are tracked by their authenticated viewer, so the caller can
 *   end those of a session it revoked (`closeWhere`).
 * - a live feed's subscription is not executed per subscriber: its FrameWriter
 *   writes the payload its cohort executed once (cohort-payloads.ts) with the
 *   subscription id spliced in; graphql-ws still sends `complete` and `error`
 *   and handles pings, closes and the client's `complete` around it. Parse,
 *   validation and cost are checked once per document (operation-checks.ts).
 *
 * This file knows nothing of domains: authentication, the client address,
 * admission (rate limits) and the per-operation context come from the caller.
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import {
  createSourceEventStream,
  execute,
  ExecutionArgs,
  ExecutionResult,
  FormattedExecutionResult,
  getOperationAST,
  GraphQLError,
  GraphQLSchema,
  specifiedRules,
  subscribe,
} from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocket, WebSocketServer } from 'ws';
import { ClientError, ErrorCode, INTERNAL_ERROR_MESSAGE, UnauthenticatedError } from '../graphql/errors';
import type { DocumentLimits } from '../config';
import { documentRules } from '../graphql/document-limits';
import { formatError } from '../graphql/format-error';
import type { OperationObserver } from '../graphql/operation-report';
import type { Logger } from '../logger';
import { FrameSocket, FrameWriter } from './frame-writer';
import { LiveQueue } from './live-queue';
import { OperationChecks, SubscribePayload } from './operation-checks';
import { CLOSE_GRACE_MS, CLOSED_WHILE_AUTHENTICATING, ViewerSockets } from './viewer-sockets';

export interface LiveServerOptions<TViewer, TContext> {
  httpServer: http.Server;
  path: string;
  schema: GraphQLSchema;
  isProduction: boolean;
  /** Introspection allowed (the GraphQL IDE is on), as over HTTP. */
  allowIntrospection: boolean;
  /** The document limits HTTP applies too (src/graphql/document-limits.ts). */
  limits: DocumentLimits;
  maxPayloadBytes: number;
  keepAliveMs: number;
  connectionInitTimeoutMs: number;
  maxSubscriptionsPerConnection: number;
  /** Active subscriptions of a connection (the caller's registry). */
  activeSubscriptions(connectionId: string): number;
  /** connectionParams.authorization -> viewer; throws UnauthenticatedError for a bad token. */
  authenticate(authorization: unknown): Promise<TViewer | null>;
  /**
   * Whether a handshake with this `Origin` header (undefined when the client sent none) may be
   * upgraded; a refused one is answered HTTP 403 before it becomes a WebSocket.
   */
  acceptOrigin(origin: string | undefined, request: http.IncomingMessage): boolean;
  /** The client's address, from the upgrade request (the caller decides whether proxies are trusted). */
  clientAddress(request: http.IncomingMessage): string;
  /**
   * Called for every `subscribe` message before anything else is done with it; throwing a
   * GraphQLError (e.g. RATE_LIMITED) refuses that operation only, with an `error` message.
   */
  admitSubscribe?(connection: { connectionId: string; clientAddress: string }): Promise<void>;
  createContext(operation: { viewer: TViewer | null; connectionId: string; operationId: string; requestId: string; clientAddress: string }): TContext;
  logger: Logger;
  /** Hears each subscription start, refusal and end, and the errors sent (the log line and metrics, as over HTTP). */
  observer: OperationObserver;
}

/** One operation of a socket, from its `subscribe` to its end: what its log lines and metrics report. */
interface TrackedOperation {
  name: string | null;
  /** null until its document passed the checks (as over HTTP, where such a document has no operation). */
  type: 'subscription' | null;
  /**
   * Its request id: every line logged for it carries it. The child logger is made for each line
   * (a subscription logs its start and end), not kept for the subscription's lifetime.
   */
  requestId: string;
  receivedAt: number;
  /** Set once the subscription started (it then gets an "ended" report); until then an error is its refusal. */
  startedAt: number | null;
  errorCodes: string[];
}

interface ConnectionState<TViewer> {
  connectionId: string;
  viewer: TViewer | null;
  clientAddress: string;
  /** Tail of this socket's subscribe handling: one at a time, in arrival order. */
  turn: Promise<unknown>;
  operations: Map<string, TrackedOperation>;
  /** Where this socket's live frames are written. */
  frames: FrameSocket;
}

const PREPARED = Symbol('prepared subscription');
type PreparedArgs = ExecutionArgs & { [PREPARED]?: AsyncGenerator<ExecutionResult, void, void> };

const isStream = (result: unknown): result is AsyncIterable<unknown> => typeof (result as AsyncIterable<unknown>)?.[Symbol.asyncIterator] === 'function';

export interface LiveServer<TViewer = unknown> {
  /**
   * Closes, with `code` and `reason`, every open socket whose authenticated viewer matches (sockets
   * of anonymous clients never match); returns how many. From this call on nothing more is sent to
   * them, and one that does not answer the close frame is dropped a second later.
   *
   * A socket still authenticating when this is called is checked too, once its viewer is known,
   * and refused (4403 Forbidden) if it matches: its token check may have read the session just
   * before the change that made the caller close it committed.
   */
  closeWhere(matches: (viewer: TViewer) => boolean, code: number, reason: string): number;
  /** The viewers of the open signed-in sockets (one entry per socket). */
  viewers(): TViewer[];
  /** Closes every socket with 1001 (going away) and stops accepting new ones. */
  close(): Promise<void>;
  /** Open WebSocket connections (metrics). */
  connectionCount(): number;
}

/** Errors through the same formatError as HTTP; a masked one is logged (`logger` carries the request id) and quotes the request id. */
function errorsForClient(errors: readonly GraphQLError[], requestId: string, logger: Logger, isProduction: boolean) {
  return errors.map((error) => {
    const formatted = formatError(error.toJSON(), error, { hideSchemaDetails: isProduction });
    if (formatted.extensions?.code === ErrorCode.INTERNAL_SERVER_ERROR) {
      logger.error('subscription failed', { error: error.originalError ?? error });
      // As over HTTP, a masked error keeps its path (which field failed) and nothing else.
      return {
        message: INTERNAL_ERROR_MESSAGE,
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, requestId },
      };
    }
    return formatted;
  });
}

/** The caller's admission of one subscribe message (rate limits), before it is even parsed: null when admitted. */
async function admit<TViewer, TContext>(options: LiveServerOptions<TViewer, TContext>, state: ConnectionState<TViewer>): Promise<GraphQLError | null> {
  if (!options.admitSubscribe) return null;
  try {
    await options.admitSubscribe({ connectionId: state.connectionId, clientAddress: state.clientAddress });
    return null;
  } catch (error) {
    // Anything but a GraphQLError is a failure of ours: masked (and logged) by errorsForClient.
    return error instanceof GraphQLError ? error : new GraphQLError('Subscription admission failed.', { originalError: error as Error });
  }
}

/** What prepareSubscription needs besides the caller's options: the cached checks, and how a stream reaches the socket. */
interface Preparation {
  checks: OperationChecks;
  /** A result with errors, formatted for one operation of a socket (masked, logged and counted as over HTTP). */
  formatErrors(result: ExecutionResult, state: ConnectionState<unknown>, operationId: string): FormattedExecutionResult;
}

/**
 * Checks one `subscribe` message and subscribes. Subscribing here (not after onSubscribe) lets a
 * failure such as NOT_FOUND reach the client as an `error` message, and registers the
 * subscription before the next message of this socket is looked at.
 *
 * A live feed's stream (a LiveQueue with its execution scope) is written by a FrameWriter: its
 * payloads are executed once per cohort, not per subscriber. graphql-ws keeps only the shared
 * document for the subscription's lifetime, never the subscribe-time context (its loaders).
 */
async function prepareSubscription<TViewer, TContext>(
  options: LiveServerOptions<TViewer, TContext>,
  preparation: Preparation,
  state: ConnectionState<TViewer>,
  operationId: string,
  payload: SubscribePayload,
  requestId: string,
): Promise<PreparedArgs | readonly GraphQLError[]> {
  const refused = await admit(options, state);
  if (refused) return [refused];
  const checked = preparation.checks.check(payload);
  if ('errors' in checked) return checked.errors;
  // graphql-ws keeps the subscribe message as long as the subscription runs: its text and variables,
  // parsed anew from every message, are replaced by the equal ones all subscribers of the key share.
  payload.query = checked.query;
  payload.variables = checked.variableValues;
  const tracked = state.operations.get(operationId);
  if (tracked) {
    // Known from here on, for its log lines and metrics (a document that failed its checks has none).
    tracked.name = getOperationAST(checked.document, checked.operationName)?.name?.value ?? null;
    tracked.type = 'subscription';
  }
  if (options.activeSubscriptions(state.connectionId) >= options.maxSubscriptionsPerConnection) {
    return [
      new ClientError(
        `At most ${options.maxSubscriptionsPerConnection} active subscriptions per connection; complete one first.`,
        ErrorCode.TOO_MANY_SUBSCRIPTIONS,
      ),
    ];
  }
  const args: ExecutionArgs = {
    schema: options.schema,
    document: checked.document,
    operationName: checked.operationName,
    variableValues: checked.variableValues,
    contextValue: options.createContext({ viewer: state.viewer, connectionId: state.connectionId, operationId, requestId, clientAddress: state.clientAddress }),
  };
  const stream = await createSourceEventStream(args);
  if (!isStream(stream)) return stream.errors ?? [new GraphQLError('Subscription failed.')];
  if (!(stream instanceof LiveQueue) || !stream.scopeFor) return { ...args, [PREPARED]: executeEach(stream, args) };
  const writer = new FrameWriter(stream, stream.scopeFor, checked, operationId, state.frames, (result) => preparation.formatErrors(result, state, operationId));
  return { schema: options.schema, document: checked.document, operationName: checked.operationName, [PREPARED]: writer };
}

/** A stream that is not a live feed's: executed per event, as graphql-ws would (its results then pass onNext). */
function executeEach(stream: AsyncIterable<unknown>, args: ExecutionArgs): AsyncGenerator<ExecutionResult, void, void> {
  const events = stream[Symbol.asyncIterator]();
  const done = { done: true, value: undefined } as const;
  const mapped: AsyncGenerator<ExecutionResult, void, void> = {
    next: async () => {
      const step = await events.next();
      return step.done ? done : { done: false, value: (await execute({ ...args, rootValue: step.value })) as ExecutionResult };
    },
    return: async () => {
      await events.return?.();
      return done;
    },
    throw: async (error: unknown) => {
      await events.return?.();
      throw error;
    },
    [Symbol.asyncIterator]: () => mapped,
    [Symbol.asyncDispose]: async () => {
      await events.return?.();
    },
  };
  return mapped;
}

/** Frames to one socket: `written` once ws has written the frame (the flow control graphql-ws had), or at once when the socket is no longer open. */
function framesTo(socket: WebSocket): FrameSocket {
  return {
    send: (frame, written) => {
      if (socket.readyState !== socket.OPEN) return written();
      // A failed write ends the socket; its close ends the subscriptions (graphql-ws returns them).
      socket.send(frame, written);
    },
  };
}

/**
 * The per-operation reports of one server (the same log line and metrics as an HTTP operation):
 * a subscription's start or refusal when its `subscribe` has been handled, its end when graphql-ws
 * completes it (client complete, socket closed, stream ended), and every error sent.
 */
function operationReports(observer: OperationObserver, logger: Logger) {
  const codesOf = (errors: readonly { extensions?: Record<string, unknown> }[]) => errors.map((error) => String(error.extensions?.code));
  const loggerOf = (operation: TrackedOperation) => logger.child({ requestId: operation.requestId });
  const report = (operation: TrackedOperation, durationMs: number) =>
    ({ transport: 'ws', name: operation.name, type: operation.type, durationMs, errorCodes: operation.errorCodes }) as const;
  return {
    received(operations: Map<string, TrackedOperation>, operationId: string, requestId: string): TrackedOperation {
      const operation: TrackedOperation = {
        name: null,
        type: null,
        requestId,
        receivedAt: performance.now(),
        startedAt: null,
        errorCodes: [],
      };
      operations.set(operationId, operation);
      return operation;
    },
    started(operation: TrackedOperation): void {
      operation.startedAt = performance.now();
      observer.operationFinished(loggerOf(operation), report(operation, operation.startedAt - operation.receivedAt));
    },
    /** Errors sent for an operation: its refusal (reported now), or the error that ended a running subscription. */
    errorsSent(operations: Map<string, TrackedOperation> | undefined, operationId: string, errors: readonly { extensions?: Record<string, unknown> }[]): void {
      const operation = operations?.get(operationId);
      const codes = codesOf(errors);
      if (!operation || operation.startedAt !== null) {
        operation?.errorCodes.push(...codes);
        observer.errorsSent(codes);
        return;
      }
      operation.errorCodes.push(...codes);
      operations!.delete(operationId);
      observer.operationFinished(loggerOf(operation), report(operation, performance.now() - operation.receivedAt));
    },
    completed(operations: Map<string, TrackedOperation> | undefined, operationId: string): void {
      const operation = operations?.get(operationId);
      if (!operation) return;
      operations!.delete(operationId);
      if (operation.startedAt !== null) observer.subscriptionEnded(loggerOf(operation), report(operation, performance.now() - operation.startedAt));
    },
    codesOf,
  };
}

/**
 * Errors of the `ws` library (an oversized or invalid frame) reach the JSON logger as one line,
 * never as a stack trace on stderr: graphql-ws's use/ws writes them with console.error, so its
 * listeners are replaced by ours (same effect otherwise: the socket is closed, with 1011 if still
 * open; ws has already started closing with 1009 for an oversized frame).
 */
function routeSocketErrors(wss: WebSocketServer, logger: Logger): void {
  wss.removeAllListeners('error');
  wss.on('error', (error) => logger.error('WebSocket server error', { error }));
  // Registered after graphql-ws's own 'connection' listener, so its per-socket 'error' listener is there to replace.
  wss.on('connection', (socket) => {
    socket.removeAllListeners('error');
    socket.on('error', (error: Error & { code?: string }) => {
      logger.warn('WebSocket closed on a protocol error', { code: error.code, reason: error.message });
      if (socket.readyState === socket.OPEN) socket.close(CloseCode.InternalServerError, 'Internal server error');
    });
  });
}

/**
 * connection_init: the viewer from connectionParams.authorization. An invalid or revoked token is
 * never treated as anonymous: the socket is closed with 4403 Forbidden (counted as UNAUTHENTICATED).
 */
function connectionHandler<TViewer, TContext>(
  options: LiveServerOptions<TViewer, TContext>,
  states: WeakMap<object, ConnectionState<TViewer>>,
  signedIn: ViewerSockets<TViewer>,
) {
  const { logger, observer } = options;
  return async (ctx: {
    connectionParams?: Readonly<Record<string, unknown>>;
    extra: { request: http.IncomingMessage; socket: WebSocket };
  }): Promise<boolean> => {
    const params = ctx.connectionParams ?? {};
    try {
      const viewer = await signedIn.admit(ctx.extra.socket, () => options.authenticate(params.authorization ?? params.Authorization));
      // Revoked while we were checking (see closeWhere): refused as if the check had seen it.
      if (viewer === CLOSED_WHILE_AUTHENTICATING) return false;
      const clientAddress = options.clientAddress(ctx.extra.request);
      // The upgrade request (its headers, about 1 KB) is read here only: graphql-ws would keep it as
      // long as the socket is open.
      (ctx.extra as { request?: http.IncomingMessage }).request = undefined;
      states.set(ctx.extra, {
        connectionId: randomUUID(),
        viewer,
        clientAddress,
        turn: Promise.resolve(),
        operations: new Map(),
        frames: framesTo(ctx.extra.socket),
      });
      return true;
    } catch (error) {
      if (error instanceof UnauthenticatedError) logger.info('WebSocket connection refused', { code: ErrorCode.UNAUTHENTICATED });
      else logger.error('WebSocket authentication failed', { error });
      observer.errorsSent([error instanceof UnauthenticatedError ? ErrorCode.UNAUTHENTICATED : ErrorCode.INTERNAL_SERVER_ERROR]);
      return false;
    }
  };
}

/** Runs `handle` after this socket's earlier `subscribe` messages were handled: one at a time, in arrival order. */
function inTurn<T>(state: { turn: Promise<unknown> }, handle: () => Promise<T>): Promise<T> {
  const run = state.turn.then(handle, handle);
  state.turn = run.catch(() => undefined);
  return run;
}

/** ws's verifyClient: a handshake whose Origin is refused gets HTTP 403 and never becomes a socket. */
function verifyOrigin(acceptOrigin: LiveServerOptions<unknown, unknown>['acceptOrigin'], logger: Logger) {
  return ({ origin, req }: { origin: string | undefined; req: http.IncomingMessage }, done: (verified: boolean, code?: number, message?: string) => void) => {
    if (acceptOrigin(origin, req)) return done(true);
    logger.info('refused a WebSocket handshake from another origin', { origin });
    done(false, 403, 'Forbidden');
  };
}

/** What every subscribe shares: the cached document checks, and how a payload's errors reach a client (masked, logged, counted). */
function preparationOf<TViewer, TContext>(options: LiveServerOptions<TViewer, TContext>, reports: ReturnType<typeof operationReports>): Preparation {
  return {
    checks: new OperationChecks(options.schema, options.limits, [
      ...specifiedRules,
      ...documentRules(options.limits, { allowIntrospection: options.allowIntrospection }),
    ]),
    formatErrors: (result, state, operationId) => {
      const requestId = `${state.connectionId}/${operationId}`;
      const errors = errorsForClient(result.errors ?? [], requestId, options.logger.child({ requestId }), options.isProduction);
      options.observer.errorsSent(reports.codesOf(errors));
      return { ...result, errors };
    },
  };
}

export function startLiveServer<TViewer, TContext>(options: LiveServerOptions<TViewer, TContext>): LiveServer<TViewer> {
  const { logger, observer } = options;
  const wss = new WebSocketServer({
    server: options.httpServer,
    path: options.path,
    maxPayload: options.maxPayloadBytes,
    verifyClient: verifyOrigin(options.acceptOrigin, logger),
  });
  const states = new WeakMap<object, ConnectionState<TViewer>>();
  const signedIn = new ViewerSockets<TViewer>();
  const reports = operationReports(observer, logger);

  /** The id an INTERNAL_SERVER_ERROR quotes and the log line carries: unique per socket and operation. */
  const requestIdOf = (extra: object, operationId: string) => `${states.get(extra)?.connectionId ?? 'unauthenticated'}/${operationId}`;

  const toClient = (errors: readonly GraphQLError[], extra: object, operationId: string) => {
    const requestId = requestIdOf(extra, operationId);
    return errorsForClient(errors, requestId, logger.child({ requestId }), options.isProduction);
  };
  const preparation = preparationOf(options, reports);

  const disposable = useServer<Record<string, unknown>, { state: ConnectionState<TViewer> }>(
    {
      schema: options.schema,
      isProd: options.isProduction,
      connectionInitWaitTimeout: options.connectionInitTimeoutMs,
      onConnect: connectionHandler(options, states, signedIn),
      onClose: (ctx) => signedIn.remove(ctx.extra.socket),
      onSubscribe: (ctx, operationId, payload) => {
        const state = states.get(ctx.extra)!;
        const requestId = requestIdOf(ctx.extra, operationId);
        const operation = reports.received(state.operations, operationId, requestId);
        return inTurn(state, async () => {
          // Never throws: graphql-ws would console.error it and close the whole socket with 1011.
          const prepared = await prepareSubscription(options, preparation, state, operationId, payload, requestId).catch((error: unknown) => [
            error instanceof GraphQLError ? error : new GraphQLError('Subscription failed.', { originalError: error as Error }),
          ]);
          if (!Array.isArray(prepared)) reports.started(operation);
          else if (!(operationId in ctx.subscriptions)) reports.completed(state.operations, operationId); // the client left first
          return prepared;
        });
      },
      subscribe: (args: PreparedArgs) => args[PREPARED] ?? subscribe(args),
      onError: (ctx, operationId, _payload, errors) => {
        const formatted = toClient(errors, ctx.extra, operationId);
        reports.errorsSent(states.get(ctx.extra)?.operations, operationId, formatted);
        return formatted;
      },
      onNext: (ctx, operationId, _payload, _args, result) => {
        if (!result.errors) return undefined;
        const errors = toClient(result.errors, ctx.extra, operationId);
        observer.errorsSent(reports.codesOf(errors));
        return { ...result, errors };
      },
      onComplete: (ctx, operationId) => reports.completed(states.get(ctx.extra)?.operations, operationId),
    },
    wss,
    options.keepAliveMs,
  );
  routeSocketErrors(wss, logger);

  return {
    connectionCount: () => wss.clients.size,
    closeWhere: (matches, code, reason) => signedIn.closeWhere(matches, code, reason),
    viewers: () => signedIn.viewers(),
    close: () => closeAll(wss, disposable),
  };
}

/**
 * graphql-ws's dispose sends 1001 to every socket and resolves once every one has closed. A client
 * that stopped reading never answers the close frame, and ws would wait its 30 s close timeout for
 * it, past the 10 s shutdown budget of main.ts: after a grace period such sockets are dropped.
 */
async function closeAll(wss: WebSocketServer, disposable: { dispose(): void | Promise<void> }): Promise<void> {
  const force = setTimeout(() => {
    for (const socket of wss.clients) socket.terminate();
  }, CLOSE_GRACE_MS);
  try {
    await disposable.dispose();
  } finally {
    clearTimeout(force);
  }
}

export { CloseCode };
