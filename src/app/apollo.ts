/**
 * Apollo Server's options: production hardening, the single formatError,
 * and the plugins every HTTP operation passes through.
 */
import type http from 'node:http';
import { ApolloServer, ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type { GraphQLSchema } from 'graphql';
import type { Config } from '../config';
import { BadRequestError, ErrorCode } from '../graphql/errors';
import { formatError, isClientSafe } from '../graphql/format-error';
import { assertQuerySize, fragmentsOf } from '../graphql/query-size';
import type { Logger } from '../logger';
import type { RequestContext } from '../modules/context';

export function createApollo(schema: GraphQLSchema, config: Config, httpServer: http.Server, logger: Logger): ApolloServer<RequestContext> {
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
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      errorLoggingPlugin(logger),
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
