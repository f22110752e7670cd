/**
 * The HTTP status of a GraphQL answer, in one place, after the GraphQL-over-HTTP
 * spec's rules for application/graphql-response+json:
 * - an answer with data keeps 200, even with errors (a partial result): the
 *   client reads the errors next to the fields they concern;
 * - a request refused as a whole (no data, or every root field null with its
 *   own error: nothing was answered) gets the status of its error:
 *   400 for the document and input (parse, validation, document limits,
 *   variable coercion, BAD_USER_INPUT, BAD_REQUEST), 401 for a missing or
 *   refused token, 429 with Retry-After (the largest extensions.retryAfter)
 *   for RATE_LIMITED, 503 with Retry-After for SERVICE_UNAVAILABLE, 500 for a
 *   masked internal error. Codes not listed (FORBIDDEN, NOT_FOUND,
 *   POLL_CLOSED, ...) are answers about the data and keep 200.
 * When errors of several kinds refuse a request, the server's own condition
 * (5xx) wins over the client's pace (429), then its token (401), then its
 * document (400).
 *
 * Apollo's PERSISTED_QUERY_* answers keep Apollo's 200: its clients read the
 * code to fall back to sending the full query.
 */
import type { GraphQLFormattedError } from 'graphql';
import { ErrorCode } from './errors';

/** What a client is told to wait before retrying an unavailable service, in seconds. */
export const SERVICE_UNAVAILABLE_RETRY_AFTER_S = 2;

const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  GRAPHQL_PARSE_FAILED: 400,
  [ErrorCode.GRAPHQL_VALIDATION_FAILED]: 400,
  OPERATION_RESOLUTION_FAILURE: 400,
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.BAD_REQUEST]: 400,
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.RATE_LIMITED]: 429,
  [ErrorCode.INTERNAL_SERVER_ERROR]: 500,
  [ErrorCode.SERVICE_UNAVAILABLE]: 503,
};

/** Which status wins when several errors refuse one request. */
const PRECEDENCE = [503, 500, 429, 401, 400];

export interface HttpHead {
  status: number;
  /** Seconds, for the Retry-After header (429 and 503). */
  retryAfter?: number;
}

type Result = { data?: Record<string, unknown> | null; errors?: readonly Pick<GraphQLFormattedError, 'path' | 'extensions'>[] };

/** Whether nothing of the request was answered: no data, or every root field null with an error of its own. */
function refusedAsWhole({ data, errors = [] }: Result): boolean {
  if (data === undefined || data === null) return true;
  const fields = Object.keys(data);
  return fields.length > 0 && fields.every((field) => data[field] === null && errors.some((error) => error.path?.length === 1 && error.path[0] === field));
}

function retryAfterOf(errors: readonly Pick<GraphQLFormattedError, 'extensions'>[], code: string): number | undefined {
  const given = errors
    .filter((error) => error.extensions?.code === code)
    .map((error) => Number(error.extensions?.retryAfter))
    .filter((seconds) => Number.isFinite(seconds) && seconds >= 0);
  return given.length > 0 ? Math.ceil(Math.max(...given)) : undefined;
}

/** The status (and Retry-After) of a GraphQL result with errors; null when it keeps 200. */
export function httpHeadFor(result: Result): HttpHead | null {
  const errors = result.errors ?? [];
  if (errors.length === 0 || !refusedAsWhole(result)) return null;
  const statuses = new Set(errors.map((error) => STATUS_BY_CODE[String(error.extensions?.code)]).filter((status) => status !== undefined));
  const status = PRECEDENCE.find((candidate) => statuses.has(candidate));
  if (status === undefined) return null;
  if (status === 429) return { status, retryAfter: retryAfterOf(errors, ErrorCode.RATE_LIMITED) ?? 1 };
  if (status === 503) return { status, retryAfter: retryAfterOf(errors, ErrorCode.SERVICE_UNAVAILABLE) ?? SERVICE_UNAVAILABLE_RETRY_AFTER_S };
  return { status };
}
