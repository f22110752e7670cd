/**
 * The single exit of errors to clients, over HTTP (Apollo) and the WebSocket
 * (src/realtime/ws-server.ts) alike.
 * Coded client errors pass as they are; GraphQL parse/validation errors keep
 * Apollo's codes; anything else is masked as INTERNAL_SERVER_ERROR: no stack,
 * no SQL, no driver message. The full error is logged with the request id,
 * which the client also receives to quote.
 * In production (hideSchemaDetails), no message keeps graphql-js's "Did you
 * mean ...?" hints: with introspection off they would still reveal field,
 * argument and enum value names, in validation and variable-coercion errors
 * alike.
 */
import type { GraphQLFormattedError } from 'graphql';
import { GraphQLError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { ErrorCode, INTERNAL_ERROR_MESSAGE, InternalError } from './errors';

const PASS_THROUGH_CODES = new Set<string>([
  ...Object.values(ErrorCode).filter((code) => code !== ErrorCode.INTERNAL_SERVER_ERROR),
  // Apollo Server's own request errors.
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/** Whether an error may reach the client as it is. */
export function isClientSafe(formatted: GraphQLFormattedError, original: unknown): boolean {
  const code = formatted.extensions?.code;
  if (typeof code !== 'string' || !PASS_THROUGH_CODES.has(code)) return false;
  const cause = unwrapResolverError(original);
  // A coded error must be one we (or graphql-js/Apollo) raised on purpose, not a driver error carrying a `code`.
  return cause instanceof GraphQLError || !(cause instanceof Error);
}

export interface FormatErrorOptions {
  /** Drop "Did you mean ...?" hints (production). */
  hideSchemaDetails?: boolean;
}

const SUGGESTION = / ?Did you mean [^?]*\?/g;

export function formatError(formatted: GraphQLFormattedError, original: unknown, options: FormatErrorOptions = {}): GraphQLFormattedError {
  const cause = unwrapResolverError(original);
  if (cause instanceof InternalError) {
    return { message: INTERNAL_ERROR_MESSAGE, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, requestId: cause.requestId } };
  }
  if (isClientSafe(formatted, original)) {
    const { stacktrace: _stacktrace, http: _http, ...extensions } = (formatted.extensions ?? {}) as Record<string, unknown>;
    const message = options.hideSchemaDetails ? formatted.message.replace(SUGGESTION, '') : formatted.message;
    return { ...formatted, message, extensions };
  }
  return {
    message: INTERNAL_ERROR_MESSAGE,
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
  };
}
