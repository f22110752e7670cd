/**
 * The WebSocket side of the GraphQL endpoint: graphql-ws (graphql-transport-ws
 * protocol) on the same HTTP server and path as HTTP.
 *
 * graphql-ws runs outside Apollo's pipeline (PITFALLS), so the protections
 * HTTP has are applied here explicitly:
 * - every `subscribe` is parsed and validated here; a broken document gets an
 *   `error` message for that operation only (graphql-ws would otherwise close
 *   the whole socket with 4500);
 * - only subscriptions are served: queries and mutations belong to HTTP,
 *   where CSRF prevention, limits and logging apply (BAD_REQUEST here);
 * - errors leave through the same formatError as HTTP (coded errors pass,
 *   anything else is masked and logged with an id);
 * - at most `maxSubscriptionsPerConnection` active subscriptions per socket
 *   (TOO_MANY_SUBSCRIPTIONS), frames over `maxPayloadBytes` close the socket
 *   with 1009 (ws), `connection_init` is awaited `connectionInitTimeoutMs`
 *   (then 4408), pings every `keepAliveMs` drop a silent client one interval
 *   later;
 * - ordering: the `subscribe` messages of one socket are handled one after
 *   the other, so a subscription is registered before anything is sent for
 *   a later one on the same socket;
 * - browsers' handshakes are checked against `acceptOrigin` before the
 *   upgrade: a refused one gets HTTP 403 and never becomes a socket;
 * - sockets are tracked by their authenticated viewer, so the caller can
 *   end those of a session it revoked (`closeWhere`).
 *
 * This file knows nothing of domains: authentication and the per-operation
 * context come from the caller.
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import {
  DocumentNode,
  ExecutionArgs,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  GraphQLSchema,
  ExecutionResult,
  parse,
  specifiedRules,
  subscribe,
  validate,
} from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { BadRequestError, ClientError, ErrorCode, INTERNAL_ERROR_MESSAGE, UnauthenticatedError } from '../graphql/errors';
import { formatError } from '../graphql/format-error';
import { assertQuerySize, fragmentsOf } from '../graphql/query-size';
import type { Logger } from '../logger';
import { CLOSE_GRACE_MS, CLOSED_WHILE_AUTHENTICATING, ViewerSockets } from './viewer-sockets';

export interface LiveServerOptions<TViewer, TContext> {
  httpServer: http.Server;
  path: string;
  schema: GraphQLSchema;
  isProduction: boolean;
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
  createContext(operation: { viewer: TViewer | null; connectionId: string; operationId: string; requestId: string }): TContext;
  logger: Logger;
}

interface ConnectionState<TViewer> {
  connectionId: string;
  viewer: TViewer | null;
  /** Tail of this socket's subscribe handling: one at a time, in arrival order. */
  turn: Promise<unknown>;
}

const PREPARED = Symbol('prepared subscription');
type PreparedArgs = ExecutionArgs & { [PREPARED]?: AsyncGenerator<ExecutionResult, void, void> };

const isStream = (result: unknown): result is AsyncGenerator<ExecutionResult, void, void> =>
  typeof (result as AsyncIterable<unknown>)?.[Symbol.asyncIterator] === 'function';

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
}

const coded = (error: GraphQLError, code: string) =>
  new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, extensions: { ...error.extensions, code } });

/** Errors through the same formatError as HTTP; a masked one is logged and quotes the request id. */
function errorsForClient(errors: readonly GraphQLError[], requestId: string, logger: Logger) {
  return errors.map((error) => {
    const formatted = formatError(error.toJSON(), error);
    if (formatted.extensions?.code === ErrorCode.INTERNAL_SERVER_ERROR) {
      logger.error('subscription failed', { requestId, error: error.originalError ?? error });
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

/**
 * What HTTP checks before executing, for one `subscribe` message: a document that parses and
 * validates (no "Did you mean" hints in production), a subscription (queries and mutations
 * belong to HTTP), variables of the right types (BAD_USER_INPUT), and the size ceiling.
 */
function checkOperation(
  schema: GraphQLSchema,
  payload: { query: string; operationName?: string | null; variables?: Record<string, unknown> | null },
  isProduction: boolean,
): { document: DocumentNode } | { errors: readonly GraphQLError[] } {
  let document: DocumentNode;
  try {
    document = parse(payload.query);
  } catch (error) {
    return { errors: [coded(error as GraphQLError, 'GRAPHQL_PARSE_FAILED')] };
  }
  const invalid = validate(schema, document, specifiedRules);
  if (invalid.length > 0) {
    return {
      errors: invalid.map((error) =>
        coded(
          // As over HTTP in production: no "Did you mean ...?" hints naming fields the client cannot introspect.
          isProduction ? new GraphQLError(error.message.replace(/ ?Did you mean(.+?)\?$/, ''), { nodes: error.nodes }) : error,
          'GRAPHQL_VALIDATION_FAILED',
        ),
      ),
    };
  }
  const operation = getOperationAST(document, payload.operationName);
  if (!operation) return { errors: [new BadRequestError('Unable to identify the operation to run.')] };
  if (operation.operation !== 'subscription') {
    return { errors: [new BadRequestError('Only subscriptions are served over WebSocket; send queries and mutations as HTTP POST to /graphql.')] };
  }
  // Variables that do not fit their types are the client's input error (BAD_USER_INPUT, as Apollo
  // answers over HTTP); left to subscribe() they would come back uncoded and be masked as internal.
  const variables = getVariableValues(schema, operation.variableDefinitions ?? [], payload.variables ?? {}, { maxErrors: 50 });
  if (variables.errors) return { errors: variables.errors.map((error) => coded(error, ErrorCode.BAD_USER_INPUT)) };
  try {
    assertQuerySize(operation, fragmentsOf(document), payload.variables ?? {});
  } catch (error) {
    return { errors: [error as GraphQLError] };
  }
  return { document };
}

/**
 * Checks one `subscribe` message and subscribes. Subscribing here (not after onSubscribe) lets a
 * failure such as NOT_FOUND reach the client as an `error` message, and registers the
 * subscription before the next message of this socket is looked at.
 */
async function prepareSubscription<TViewer, TContext>(
  options: LiveServerOptions<TViewer, TContext>,
  state: ConnectionState<TViewer>,
  operationId: string,
  payload: { query: string; operationName?: string | null; variables?: Record<string, unknown> | null },
  requestId: string,
): Promise<PreparedArgs | readonly GraphQLError[]> {
  const checked = checkOperation(options.schema, payload, options.isProduction);
  if ('errors' in checked) return checked.errors;
  if (options.activeSubscriptions(state.connectionId) >= options.maxSubscriptionsPerConnection) {
    return [
      new ClientError(
        `At most ${options.maxSubscriptionsPerConnection} active subscriptions per connection; complete one first.`,
        ErrorCode.TOO_MANY_SUBSCRIPTIONS,
      ),
    ];
  }
  const args: PreparedArgs = {
    schema: options.schema,
    document: checked.document,
    operationName: payload.operationName,
    variableValues: payload.variables,
    contextValue: options.createContext({ viewer: state.viewer, connectionId: state.connectionId, operationId, requestId }),
  };
  const result = await subscribe(args);
  if (!isStream(result)) return result.errors ?? [new GraphQLError('Subscription failed.')];
  args[PREPARED] = result;
  return args;
}

/** ws's verifyClient: a handshake whose Origin is refused gets HTTP 403 and never becomes a socket. */
function verifyOrigin(acceptOrigin: LiveServerOptions<unknown, unknown>['acceptOrigin'], logger: Logger) {
  return ({ origin, req }: { origin: string | undefined; req: http.IncomingMessage }, done: (verified: boolean, code?: number, message?: string) => void) => {
    if (acceptOrigin(origin, req)) return done(true);
    logger.info('refused a WebSocket handshake from another origin', { origin });
    done(false, 403, 'Forbidden');
  };
}

export function startLiveServer<TViewer, TContext>(options: LiveServerOptions<TViewer, TContext>): LiveServer<TViewer> {
  const { logger } = options;
  const wss = new WebSocketServer({
    server: options.httpServer,
    path: options.path,
    maxPayload: options.maxPayloadBytes,
    verifyClient: verifyOrigin(options.acceptOrigin, logger),
  });
  const states = new WeakMap<object, ConnectionState<TViewer>>();
  const signedIn = new ViewerSockets<TViewer>();

  /** The id an INTERNAL_SERVER_ERROR quotes and the log line carries: unique per socket and operation. */
  const requestIdOf = (extra: object, operationId: string) => `${states.get(extra)?.connectionId ?? 'unauthenticated'}/${operationId}`;

  const toClient = (errors: readonly GraphQLError[], requestId: string) => errorsForClient(errors, requestId, logger);

  const disposable = useServer<Record<string, unknown>, { state: ConnectionState<TViewer> }>(
    {
      schema: options.schema,
      isProd: options.isProduction,
      connectionInitWaitTimeout: options.connectionInitTimeoutMs,
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        try {
          const viewer = await signedIn.admit(ctx.extra.socket, () => options.authenticate(params.authorization ?? params.Authorization));
          // Revoked while we were checking (see closeWhere): refused as if the check had seen it.
          if (viewer === CLOSED_WHILE_AUTHENTICATING) return false;
          states.set(ctx.extra, { connectionId: randomUUID(), viewer, turn: Promise.resolve() });
          return true;
        } catch (error) {
          // An invalid or revoked token is never treated as anonymous: 4403 Forbidden.
          if (!(error instanceof UnauthenticatedError)) logger.error('WebSocket authentication failed', { error });
          return false;
        }
      },
      onClose: (ctx) => signedIn.remove(ctx.extra.socket),
      onSubscribe: (ctx, operationId, payload) => {
        const state = states.get(ctx.extra)!;
        const handle = () => prepareSubscription(options, state, operationId, payload, requestIdOf(ctx.extra, operationId));
        const run = state.turn.then(handle, handle);
        state.turn = run.catch(() => undefined);
        return run;
      },
      subscribe: (args: PreparedArgs) => args[PREPARED] ?? subscribe(args),
      onError: (ctx, operationId, _payload, errors) => toClient(errors, requestIdOf(ctx.extra, operationId)),
      onNext: (ctx, operationId, _payload, _args, result) => {
        if (!result.errors) return undefined;
        return { ...result, errors: toClient(result.errors, requestIdOf(ctx.extra, operationId)) };
      },
    },
    wss,
    options.keepAliveMs,
  );

  wss.on('error', (error) => logger.error('WebSocket server error', { error }));

  return {
    closeWhere: (matches, code, reason) => signedIn.closeWhere(matches, code, reason),
    viewers: () => signedIn.viewers(),
    close: async () => {
      // graphql-ws's dispose sends 1001 to every socket and resolves once every one has closed. A client
      // that stopped reading never answers the close frame, and ws would wait its 30 s close timeout for
      // it, past the 10 s shutdown budget of main.ts: after a grace period such sockets are dropped.
      const force = setTimeout(() => {
        for (const socket of wss.clients) socket.terminate();
      }, CLOSE_GRACE_MS);
      try {
        await disposable.dispose();
      } finally {
        clearTimeout(force);
      }
    },
  };
}

export { CloseCode };
