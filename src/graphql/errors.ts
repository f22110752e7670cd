/**
 * The closed set of error codes a client can see (extensions.code), as
 * GraphQLError subclasses that services throw. formatError (see
 * format-error.ts) is the single exit: coded errors pass, anything else is
 * masked as INTERNAL_SERVER_ERROR with a request id.
 * A module's own errors live in the module (e.g. poll/poll.errors.ts) and
 * extend ClientError with a code of this set: this set is the one place
 * where codes are defined, and formatError needs no module.
 */
import { GraphQLError } from 'graphql';

export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  POLL_CLOSED: 'POLL_CLOSED',
  /** editPoll with `options` on a poll that has at least one vote: its options are fixed from the first vote. */
  POLL_HAS_VOTES: 'POLL_HAS_VOTES',
  /** addComment (comments and replies), castVote or retractVote on a post a moderator locked (lockPost); checked before POLL_CLOSED. */
  POST_LOCKED: 'POST_LOCKED',
  RATE_LIMITED: 'RATE_LIMITED',
  TOO_MANY_SUBSCRIPTIONS: 'TOO_MANY_SUBSCRIPTIONS',
  SLOW_CONSUMER: 'SLOW_CONSUMER',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  /** The request is not one this transport serves (a query over the WebSocket, a subscription over HTTP), or not JSON. */
  BAD_REQUEST: 'BAD_REQUEST',
  /**
   * The document does not validate against the schema, or goes over one of the document limits
   * (LIMIT_DEPTH, LIMIT_ALIASES, ...: extensions.limit names it); graphql-js's and Apollo's code.
   */
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** What a client sees of an unexpected failure: nothing but the request id to quote. */
export const INTERNAL_ERROR_MESSAGE = 'Something went wrong on our side. Quote extensions.requestId when reporting it.';

/** Base of every error a client may see as it is. */
export class ClientError extends GraphQLError {
  constructor(message: string, code: ErrorCode, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { code, ...extensions } });
  }
}

export class UnauthenticatedError extends ClientError {
  constructor(message = 'You must be signed in to do this.') {
    // Its HTTP status (401) comes from src/graphql/http-status.ts, like every code's.
    super(message, ErrorCode.UNAUTHENTICATED);
  }
}

export class ForbiddenError extends ClientError {
  constructor(message = 'You are not allowed to do this.') {
    super(message, ErrorCode.FORBIDDEN);
  }
}

/**
 * `field`, here and in BadUserInputError, names the input at fault as its
 * thrower knows it: a service names its own field ("title", "optionIds[2]"),
 * and the API edge roots it under the argument ("input.title", see
 * atArgument in api-edge.ts), which is what the client sees.
 */
export class NotFoundError extends ClientError {
  constructor(
    readonly what: string,
    readonly field?: string,
  ) {
    super(`${what} not found.`, ErrorCode.NOT_FOUND, field ? { field } : {});
  }
}

/** Invalid input: `field` is at fault (see NotFoundError), `reason` says why, e.g. "must not be empty.". */
export class BadUserInputError extends ClientError {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`, ErrorCode.BAD_USER_INPUT, { field });
  }
}

/** The same error with its field rooted under `argument` ("title" under "input": "input.title"); other errors as they are. */
export function rootedAt(argument: string, error: unknown): unknown {
  if (error instanceof BadUserInputError) return new BadUserInputError(`${argument}.${error.field}`, error.reason);
  if (error instanceof NotFoundError && error.field !== undefined) return new NotFoundError(error.what, `${argument}.${error.field}`);
  return error;
}

/** A request this transport does not serve, e.g. a subscription over HTTP. */
export class BadRequestError extends ClientError {
  constructor(message: string, extensions: Record<string, unknown> = {}) {
    super(message, ErrorCode.BAD_REQUEST, extensions);
  }
}

export class ServiceUnavailableError extends ClientError {
  constructor() {
    super('The service is temporarily unavailable; retry later.', ErrorCode.SERVICE_UNAVAILABLE);
  }
}

/**
 * An unexpected failure where Apollo's request pipeline does not run (e.g.
 * while building the context): already logged, it carries the request id
 * the client quotes, and nothing else. Not a ClientError: it is the masked
 * form of a failure, never a client's mistake.
 */
export class InternalError extends GraphQLError {
  constructor(readonly requestId: string) {
    super(INTERNAL_ERROR_MESSAGE, { extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, requestId } });
  }
}
