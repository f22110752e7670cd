/**
 * Apollo Server's options: production hardening, the single formatError,
 * and the plugins every HTTP operation passes through.
 */
import type http from 'node:http';
import { ApolloServer, ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { GraphQLError, GraphQLSchema } from 'graphql';
import type { Config } from '../config';
import { BadRequestError, ErrorCode } from '../graphql/errors';
import { formatError, isClientSafe } from '../graphql/format-error';
import type { OperationObserver } from '../graphql/operation-report';
import { assertQuerySize, fragmentsOf } from '../graphql/query-size';
import type { Logger } from '../logger';
import type { RequestContext } from '../modules/context';

export function createApollo(
  schema: GraphQLSchema,
  config: Config,
  httpServer: http.Server,
  logger: Logger,
  observer: OperationObserver,
): ApolloServer<RequestContext> {
  return new ApolloServer<RequestContext>({
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
    // Apollo's own messages as JSON lines too.
    logger: {
      debug: (message) => logger.debug(String(message)),
      info: (message) => logger.info(String(message)),
      warn: (message) => logger.warn(String(message)),
      error: (message) => logger.error(String(message)),
    },
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      errorLoggingPlugin(),
      operationReportPlugin(observer),
      operationGuardPlugin(),
      // No GraphQL IDE in production.
      ...(config.isProduction ? [ApolloServerPluginLandingPageDisabled()] : []),
    ],
  });
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
            throw new BadRequestError('Subscriptions are served over WebSocket (graphql-ws) on this same URL: ws://<host>/graphql.', { http: { status: 400 } });
          }
          assertQuerySize(operation, fragmentsOf(document), request.variables ?? {});
        },
      };
    },
  };
}

/** The code a client receives for `error` (what formatError makes of it). */
function clientCodeOf(error: Error): string {
  const formatted = formatError(error instanceof GraphQLError ? error.toJSON() : { message: error.message }, error);
  return String(formatted.extensions?.code ?? ErrorCode.INTERNAL_SERVER_ERROR);
}

/**
 * One report per HTTP operation (its log line on the request's logger, its
 * metrics), with the codes of the errors as the client received them; and the
 * requests refused before an operation ran (a bad token while building the
 * context, a malformed or CSRF-suspect request) counted by their code.
 */
function operationReportPlugin(observer: OperationObserver): ApolloServerPlugin<RequestContext> {
  return {
    async contextCreationDidFail({ error }) {
      observer.errorsSent([clientCodeOf(error)]);
    },
    async invalidRequestWasReceived({ error }) {
      observer.errorsSent([clientCodeOf(error)]);
    },
    async requestDidStart() {
      return {
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
    },
  };
}

/** Logs every error that formatError masks on the request's logger, so under the request id the client receives. */
function errorLoggingPlugin(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
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
    },
  };
}
