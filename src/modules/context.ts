import type { Logger } from '../logger';
import type { Registration } from '../realtime/live-feed';
import type { LiveHub } from './live/live-hub';
import type { Loaders } from './loaders';
import type { Member } from './member/member.entity';

/** What every resolver gets: who asks, and the request's loaders. */
export interface RequestContext {
  requestId: string;
  /** When the request began (performance.now(), ms): the operation's duration in logs and metrics counts from here. */
  startedAt: number;
  /** The signed-in member; null for anonymous requests (an invalid token never gets here). */
  viewer: Member | null;
  /** Hash of the bearer token of this request, for logOut. */
  tokenHash: string | null;
  /**
   * The live API's feeds. Only the subscriptions' `subscribe` functions use it: TypeGraphQL calls
   * them without the resolver instance, so they cannot have it injected like other resolvers' services.
   */
  liveHub: LiveHub;
  loaders: Loaders;
  /** The request's logger: every line carries its requestId. */
  logger: Logger;
  /** The client's network address (X-Forwarded-For only as far as TRUST_PROXY says), on HTTP and WebSocket alike. */
  clientAddress: string;
  /** The rate limits of this request's member and address. */
  limits: RequestLimits;
  /** Set for operations over WebSocket: which connection and operation this is (subscriptions are registered by it). */
  live?: Registration;
  /**
   * The earliest moment (ms since the epoch) at which this answer changes without any write: a poll
   * read open passes its closesAt, a suspension read in force ends. Resolvers that compare with the
   * clock lower it through changesByItselfAt; the response cache keeps the answer no longer.
   */
  answerChangesAt?: number;
}

/** Notes that what a resolver answered changes by itself at `time` (null or past: never again). */
export function changesByItselfAt(context: RequestContext, time: Date | null): void {
  if (!time) return;
  const at = time.getTime();
  if (at > Date.now() && at < (context.answerChangesAt ?? Infinity)) context.answerChangesAt = at;
}

/**
 * The rate limits as resolvers see them (built at the API edge, src/app/rate-limits.ts, for one
 * request's member and client address). Each is counted before anything is written, and a
 * refused request writes nothing: RATE_LIMITED with extensions.retryAfter (seconds).
 */
export interface RequestLimits {
  /** One write (post, comment, vote, upvote, view) by this member and address. */
  write(): Promise<void>;
  /** One signUp from this address. */
  signUp(): Promise<void>;
  /** Runs one logIn attempt for `email`, refused while its failures are over the limits; only failures count. */
  logIn<T>(email: string, attempt: () => Promise<T>): Promise<T>;
  /**
   * Runs one check of the signed-in member's password (changePassword, deleteAccount), refused
   * while the member's failed checks are over the limit; only attempts ending in an error for
   * which `isWrongPassword` holds count. Stops guessing a password with a stolen token.
   */
  passwordCheck<T>(attempt: () => Promise<T>, isWrongPassword: (error: unknown) => boolean): Promise<T>;
  /** Whether an anonymous view of this post from this address counts: once per address and post per 30 minutes. */
  countsAnonymousView(postId: number): Promise<boolean>;
}
