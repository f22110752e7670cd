/**
 * Apollo Server's options: production hardening, the single formatError,
 * and the plugins every HTTP operation passes through.
 */
import type http from 'node:http';
import { ApolloServer, ApolloServerPlugin, GraphQLRequestListener, HeaderMap } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type express from 'express';
import { DocumentNode, GraphQLError, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import type { Config, DocumentLimits } from '../config';
import { checkSource, costOf, DocumentLimitError, documentRules } from '../graphql/document-limits';
import { BadRequestError, ErrorCode } from '../graphql/errors';
import { formatError, isClientSafe } from '../graphql/format-error';
import { httpHeadFor } from '../graphql/http-status';
import type { OperationObserver } from '../graphql/operation-report';
import type { Logger } from '../logger';
import type { RequestContext } from '../modules/context';
import { ResponseCache, responseCachePlugin, stringifyAnswer } from './response-cache';

export function createApollo(
  schema: GraphQLSchema,
  config: Config,
  httpServer: http.Server,
  logger: Logger,
  observer: OperationObserver,
  responseCache: ResponseCache,
): ApolloServer<RequestContext> {
  return new ApolloServer<RequestContext>({
    schema,
    // Apollo would read process.env.NODE_ENV itself; config.ts is the only reader of the environment.
    nodeEnv: config.nodeEnv,
    // Introspection follows the IDE (GRAPHQL_IDE: on outside production), which needs the schema;
    // documentRules refuses it otherwise, the rule the WebSocket applies too. Apollo's own switch
    // would only add a second error saying the same.
    introspection: true,
    validationRules: documentRules(config.limits, { allowIntrospection: config.isIdeEnabled }),
    // "Did you mean ...?" hints leave through formatError, which drops them in production on both
    // transports, for variable-coercion errors too (Apollo's hideSchemaDetailsFromClientErrors does not).
    formatError: (formatted, original) => formatError(formatted, original, { hideSchemaDetails: config.isProduction }),
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    // Automatic persisted queries off: Apollo keeps their cache per process, so behind a load balancer
    // a hash registered on one instance is unknown to the next. Clients get PERSISTED_QUERY_NOT_SUPPORTED
    // from every instance and send full queries (Apollo Client's link falls back by itself).
    persistedQueries: false,
    includeStacktraceInErrorResponses: false,
    stopOnTerminationSignals: false, // main.ts owns shutdown
    // A response-cache hit sends the text of its stored data as kept, instead of stringifying 12 KB again.
    stringifyResult: (result) => stringifyAnswer(responseCache, result),
    // Apollo's own messages as JSON lines too.
    logger: {
      debug: (message) => logger.debug(String(message)),
      info: (message) => logger.info(String(message)),
      warn: (message) => logger.warn(String(message)),
      error: (message) => logger.error(String(message)),
    },
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // No field has a cache hint, so Apollo's CacheControl plugin (installed unless disabled) only
      // ever said `no-store`; yet it wraps every resolver of the schema (HTTP and WebSocket alike) to
      // collect hints, which cost about 5% of a thread page. httpStatusPlugin sends the same header.
      ApolloServerPluginCacheControlDisabled(),
      errorLoggingPlugin(),
      operationReportPlugin(observer, config.isProduction),
      operationGuardPlugin(config.limits),
      httpStatusPlugin(),
      responseCachePlugin(responseCache),
      // Never Apollo's landing page: it loads from a CDN (blank offline). The IDE this server
      // bundles answers a browser's GET /graphql instead (src/web/ide.ts), when GRAPHQL_IDE allows.
      ApolloServerPluginLandingPageDisabled(),
    ],
  });
}

/** Document texts remembered as fitting the limits, the least recently seen forgotten first; longer ones are not kept. */
const FITTING_SOURCES = 256;
const FITTING_SOURCE_MAX_CHARACTERS = 16_384;

/**
 * checkSource, remembering the texts that fit: clients send the same few documents over and over,
 * and counting a thread page's tokens again on every request (lexing its text) was 2% of a
 * response-cache hit. Comparing the text with one seen before costs a fraction of that. A refusal
 * is not remembered (checked again), nor a text over FITTING_SOURCE_MAX_CHARACTERS.
 */
class FittingSources {
  private readonly texts = new Set<string>();

  constructor(private readonly limits: DocumentLimits) {}

  check(source: string): DocumentLimitError | null {
    if (this.texts.delete(source)) {
      this.texts.add(source);
      return null;
    }
    const refused = checkSource(source, this.limits);
    if (refused || source.length > FITTING_SOURCE_MAX_CHARACTERS) return refused;
    this.texts.add(source);
    if (this.texts.size > FITTING_SOURCES) this.texts.delete(this.texts.values().next().value as string);
    return null;
  }
}

/**
 * Characters and tokens of the document (LIMIT_CHARACTERS, LIMIT_TOKENS), checked before Apollo
 * parses anything: Apollo has no hook that may refuse a request before parsing, so this sits in
 * front of it, with the check the WebSocket makes (document-limits.ts).
 */
export function documentSourceGuard(limits: DocumentLimits): express.RequestHandler {
  const fitting = new FittingSources(limits);
  return (req, res, next) => {
    const body: unknown = req.body;
    const query =
      req.method === 'GET' ? req.query.query : body && typeof body === 'object' && !Array.isArray(body) ? (body as { query?: unknown }).query : undefined;
    const refused = typeof query === 'string' ? fitting.check(query) : null;
    if (!refused) return next();
    res.status(httpHeadFor({ errors: [refused] })?.status ?? 400).json({ errors: [formatError(refused.toJSON(), refused)] });
  };
}

/** Variables (as JSON text) longer than this are costed every time rather than kept as a key. */
const COST_KEY_MAX_CHARACTERS = 1_024;
/** Costs kept per operation: the most recently counted variables of a page (ids, cursors). */
const COSTS_PER_OPERATION = 64;

/**
 * An operation's cost is a function of its document and variables alone, and Apollo hands back the
 * same parsed document for the same query text: counting it again was 4% of a `{ __typename }`'s
 * CPU, and more of a repeated thread page (a response-cache hit is still costed). Kept per
 * operation node, so a document Apollo evicts takes its costs with it; per operation, the
 * COSTS_PER_OPERATION last variables (short ones only). Refusals are not kept: counted again.
 */
class OperationCosts {
  private readonly byOperation = new WeakMap<OperationDefinitionNode, Map<string, number>>();

  constructor(private readonly limits: DocumentLimits) {}

  of(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>): number | null {
    const key = (operation.variableDefinitions ?? []).length === 0 ? '' : JSON.stringify(variables);
    let known = this.byOperation.get(operation);
    const kept = known?.get(key);
    if (kept !== undefined) return kept;
    const cost = costOf(schema, document, operation, variables, this.limits);
    if (cost === null || key.length > COST_KEY_MAX_CHARACTERS) return cost;
    if (!known) this.byOperation.set(operation, (known = new Map()));
    if (known.size >= COSTS_PER_OPERATION) known.delete(known.keys().next().value as string);
    known.set(key, cost);
    return cost;
  }
}

/**
 * Checks made once the operation is known: subscriptions belong to the WebSocket (over HTTP they
 * would run as a plain execute and fail), and the operation's cost with its variables must be
 * within LIMIT_COST. An accepted operation reports its cost in extensions.cost.
 */
function operationGuardPlugin(limits: DocumentLimits): ApolloServerPlugin<RequestContext> {
  const costs = new OperationCosts(limits);
  return {
    async requestDidStart() {
      let cost: number | null = null;
      return {
        async didResolveOperation({ operation, document, request, schema }) {
          if (!operation) return;
          if (operation.operation === 'subscription') {
            throw new BadRequestError('Subscriptions are served over WebSocket (graphql-ws) on this same URL: ws://<host>/graphql.');
          }
          cost = costs.of(schema, document, operation, request.variables ?? {});
        },
        async willSendResponse({ response }) {
          if (cost === null || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, cost };
        },
      };
    },
  };
}

/**
 * The HTTP status of every answer Apollo sends, from its errors (src/graphql/http-status.ts), and
 * `cache-control: no-store` on all of them, as Apollo's CacheControl plugin sent it: answers depend
 * on who asks (viewer flags, moderation), so no shared cache may keep them.
 */
function httpStatusPlugin(): ApolloServerPlugin<RequestContext> {
  // No state per request: one listener object serves them all (not a fresh one per request).
  const listeners: GraphQLRequestListener<RequestContext> = {
    async willSendResponse({ response }) {
      response.http.headers.set('cache-control', 'no-store');
      if (response.body.kind !== 'single') return;
      const head = httpHeadFor(response.body.singleResult);
      if (head?.retryAfter !== undefined) response.http.headers.set('retry-after', String(head.retryAfter));
      const { data } = response.body.singleResult;
      if (head) {
        // Apollo's own 405 (a mutation sent by GET, with its Allow header) says more than 400.
        if (!(head.status === 400 && response.http.status === 405)) response.http.status = head.status;
      } else if (data !== undefined && data !== null) {
        // 200 also when an error thrown with an http extension said otherwise: with data, the client
        // reads the errors next to their fields.
        response.http.status = 200;
      }
    },
  };
  return {
    async requestDidStart() {
      return listeners;
    },
  };
}

/**
 * For an error thrown while building the context, where Apollo answers without running its request
 * hooks: the status (and Retry-After) of http-status.ts, in the extension Apollo reads then.
 */
export function withHttpHead<T extends GraphQLError>(error: T): T {
  const head = httpHeadFor({ errors: [{ extensions: error.extensions }] });
  if (head) {
    const headers = new HeaderMap(head.retryAfter === undefined ? [] : [['retry-after', String(head.retryAfter)]]);
    Object.assign(error.extensions, { http: { status: head.status, headers } });
  }
  return error;
}

/** The code a client receives for `error` (what formatError makes of it). */
function clientCodeOf(error: Error, hideSchemaDetails: boolean): string {
  const formatted = formatError(error instanceof GraphQLError ? error.toJSON() : { message: error.message }, error, { hideSchemaDetails });
  return String(formatted.extensions?.code ?? ErrorCode.INTERNAL_SERVER_ERROR);
}

/**
 * One report per HTTP operation (its log line on the request's logger, its
 * metrics), with the codes of the errors as the client received them; and the
 * requests refused before an operation ran (a bad token while building the
 * context, a malformed or CSRF-suspect request) counted by their code.
 */
function operationReportPlugin(observer: OperationObserver, hideSchemaDetails: boolean): ApolloServerPlugin<RequestContext> {
  // No state per request: one listener object serves them all (not a fresh one per request).
  const listeners: GraphQLRequestListener<RequestContext> = {
    async willSendResponse({ contextValue, operation, response }) {
      const errors = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
      observer.operationFinished(contextValue.logger, {
        transport: 'http',
        name: operation?.name?.value ?? null,
        type: operation?.operation ?? null,
        durationMs: performance.now() - contextValue.startedAt,
        errorCodes: errors.map((error) => String(error.extensions?.code ?? ErrorCode.INTERNAL_SERVER_ERROR)),
      });
    },
  };
  return {
    async contextCreationDidFail({ error }) {
      observer.errorsSent([clientCodeOf(error, hideSchemaDetails)]);
    },
    async invalidRequestWasReceived({ error }) {
      observer.errorsSent([clientCodeOf(error, hideSchemaDetails)]);
    },
    async requestDidStart() {
      return listeners;
    },
  };
}

/** Logs every error that formatError masks on the request's logger, so under the request id the client receives. */
function errorLoggingPlugin(): ApolloServerPlugin<RequestContext> {
  // No state per request: one listener object serves them all (not a fresh one per request).
  const listeners: GraphQLRequestListener<RequestContext> = {
    async didEncounterErrors({ contextValue, errors, operationName }) {
      for (const error of errors) {
        if (isClientSafe({ message: error.message, extensions: error.extensions }, error)) continue;
        contextValue.logger.error('request failed', { operationName, path: error.path, error: error.originalError ?? error });
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
  return {
    async requestDidStart() {
      return listeners;
    },
  };
}
