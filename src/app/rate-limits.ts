/**
 * Rate limits at the API edge (rate-limiter-flexible), for HTTP and the
 * WebSocket alike. Resolvers reach them through the request context
 * (RequestLimits); the WebSocket server through its admitSubscribe hook.
 *
 * Guarantees, stated where they are kept:
 * - Fixed windows (`points` per `duration`): a window's whole allowance may
 *   be used at once (300 members of one office voting within a second).
 * - A limit is counted before anything is written; a refused request gets
 *   RATE_LIMITED with extensions.retryAfter (whole seconds, at least 1) and
 *   writes nothing.
 * - With REDIS_URL the counts live in Redis, so limits hold across instances,
 *   under keys namespaced per database like the event channel. The store never
 *   refuses or delays a request: with Redis unreachable (no offline queue,
 *   commands rejected at once while not ready, a bounded command timeout)
 *   every limiter falls back to its per-process memory twin
 *   (`insuranceLimiter`) until Redis is back.
 * - Per-connection subscribe counts stay in memory: a socket lives on one
 *   instance.
 */
import { createHash } from 'node:crypto';
import Redis from 'ioredis';
import { RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimitConfig } from '../config';
import { ClientError, ErrorCode, UnauthenticatedError } from '../graphql/errors';
import type { Logger } from '../logger';
import type { RequestLimits } from '../modules/context';
import { addressKey } from './client-address';

/** The limits, by the name metrics and logs use (`rate_limited_total{limit}`). */
export type LimitName =
  | 'login_email_address'
  | 'login_address'
  | 'login_email'
  | 'password_member'
  | 'writes_member'
  | 'writes_address'
  | 'signups_address'
  | 'subscribes_connection'
  | 'subscribes_address';

/** A repeat anonymous view of a post from one address within this window counts once (as a member's does). */
const ANONYMOUS_VIEW_WINDOW_S = 30 * 60;
/** Longest a Redis command of a limiter may take before the memory twin answers instead. */
const REDIS_COMMAND_TIMEOUT_MS = 500;

export class RateLimitedError extends ClientError {
  constructor(msBeforeNext: number) {
    const retryAfter = Math.max(1, Math.ceil(msBeforeNext / 1000));
    super(`Too many requests; retry in ${retryAfter} s.`, ErrorCode.RATE_LIMITED, { retryAfter });
  }
}

export interface RateLimitsOptions {
  /** Redis for counts shared by every instance; null keeps them in this process. */
  redisUrl: string | null;
  /** Prefix of every key: one namespace per database, like the event channel. */
  namespace: string;
  logger: Logger;
  /** Called once per refused request with the limit that refused it (e.g. to count it in metrics). */
  onLimited?: (limit: LimitName) => void;
}

interface Limit {
  /** anonymous_views never refuses a request: a repeat view is answered, just not counted. */
  name: LimitName | 'anonymous_views';
  limiter: RateLimiterAbstract;
}

/** What consuming one point of `key` said: the limiter's answer, whether it refused; null when the limit is off or its store failed. */
type Outcome = { limit: Limit; key: string; res: RateLimiterRes; refused: boolean } | null;

export class RateLimits {
  private readonly redis: Redis | null;
  private readonly logger: Logger;
  private readonly onLimited: (limit: LimitName) => void;
  private readonly limits: Record<LimitName, Limit | null>;
  private readonly anonymousViews: Limit;

  constructor(config: RateLimitConfig, options: RateLimitsOptions) {
    this.logger = options.logger;
    this.onLimited = options.onLimited ?? (() => {});
    this.redis = options.redisUrl ? connectLazily(options.redisUrl, options.logger) : null;
    const limit = (name: LimitName, points: number, duration: number, shared = true): Limit | null =>
      points === 0 ? null : { name, limiter: this.limiter(`${options.namespace}:${name}`, points, duration, shared) };
    const { loginFailures, writesPerMinute, signUpsPerHour } = config;
    this.limits = {
      login_email_address: limit('login_email_address', loginFailures, 15 * 60),
      login_address: limit('login_address', loginFailures * 10, 15 * 60),
      login_email: limit('login_email', loginFailures * 10, 60 * 60),
      password_member: limit('password_member', loginFailures, 15 * 60),
      writes_member: limit('writes_member', writesPerMinute, 60),
      writes_address: limit('writes_address', writesPerMinute * 50, 60),
      signups_address: limit('signups_address', signUpsPerHour, 60 * 60),
      subscribes_connection: limit('subscribes_connection', config.subscribesPerConnection, 10, false),
      subscribes_address: limit('subscribes_address', config.subscribesPerAddress, 10),
    };
    this.anonymousViews = { name: 'anonymous_views', limiter: this.limiter(`${options.namespace}:anonymous_views`, 1, ANONYMOUS_VIEW_WINDOW_S, true) };
  }

  /** Starts connecting to Redis (when configured) without waiting: until it is ready, counts stay in memory. */
  start(): void {
    this.redis?.connect().catch(() => {
      // Logged by the error listener; ioredis keeps retrying in the background.
    });
  }

  /** Whether counts currently go to the shared store (Redis); false means per-process memory. */
  isShared(): boolean {
    return this.redis?.status === 'ready';
  }

  async stop(): Promise<void> {
    this.redis?.disconnect();
  }

  /** The limits of one request, for its member (null: anonymous) and client address. */
  forRequest(clientAddress: string, memberId: number | null): RequestLimits {
    const address = addressKey(clientAddress);
    const { limits } = this;
    return {
      write: () => this.consumeAll([limits.writes_member, memberId === null ? null : String(memberId)], [limits.writes_address, address]),
      signUp: () => this.consumeAll([limits.signups_address, address]),
      logIn: (email, attempt) => this.logIn(address, email, attempt),
      passwordCheck: (attempt, isWrongPassword) => this.passwordCheck(memberId, attempt, isWrongPassword),
      countsAnonymousView: async (postId) => {
        const outcome = await this.take(this.anonymousViews, `${address}:${postId}`);
        return !outcome?.refused;
      },
    };
  }

  /** The WebSocket server's hook: one subscribe message on this socket, from this address; throws RATE_LIMITED when over. */
  admitSubscribe(connection: { connectionId: string; clientAddress: string }): Promise<void> {
    return this.consumeAll(
      [this.limits.subscribes_connection, connection.connectionId],
      [this.limits.subscribes_address, addressKey(connection.clientAddress)],
    );
  }

  /**
   * Failed logIns, counted per e-mail and address, per address over all e-mails and per e-mail
   * over all addresses. A point is reserved on each before the attempt (so a burst of parallel
   * guesses cannot all slip past a check made before any of them failed) and handed back unless
   * the attempt failed: only failures count. A success clears this address's count for this
   * e-mail, never another address's. The per-e-mail limit only stops addresses that already
   * failed for it in their window: it slows distributed guessing, yet nobody can lock a member
   * out from elsewhere.
   */
  private async logIn<T>(address: string, email: string, attempt: () => Promise<T>): Promise<T> {
    // Hashed: the store never holds e-mail addresses, and a huge one makes no huge key.
    const emailKey = createHash('sha256').update(String(email).trim().toLowerCase()).digest('hex').slice(0, 32);
    const { login_email_address: pair, login_address: perAddress, login_email: perEmail } = this.limits;
    const reserved = await Promise.all([this.take(pair, `${emailKey}:${address}`), this.take(perAddress, address), this.take(perEmail, emailKey)]);
    const [pairOutcome, addressOutcome, emailOutcome] = reserved;
    const hasFailedHere = (pairOutcome?.res.consumedPoints ?? 0) > 1;
    const blockers = [pairOutcome, addressOutcome, hasFailedHere ? emailOutcome : null].filter((outcome) => outcome?.refused);
    if (blockers.length > 0) {
      await this.giveBack(reserved); // a refused attempt guessed nothing
      throw this.refuse(blockers);
    }
    try {
      const result = await attempt();
      await Promise.all([this.giveBack([addressOutcome, emailOutcome]), pairOutcome?.limit.limiter.delete(pairOutcome.key).catch(() => undefined)]);
      return result;
    } catch (error) {
      // Only a wrong e-mail or password is a failure; a database outage guessed nothing.
      if (!(error instanceof UnauthenticatedError)) await this.giveBack(reserved);
      throw error;
    }
  }

  /**
   * A signed-in member's password checks (changePassword, deleteAccount): as many failures per 15
   * minutes as logIn allows per e-mail and address, counted per member wherever the requests
   * come from (the token is the member's: a thief with it changes address at will). A point is
   * reserved first, as for logIn, and handed back unless the attempt failed on the password.
   */
  private async passwordCheck<T>(memberId: number | null, attempt: () => Promise<T>, isWrongPassword: (error: unknown) => boolean): Promise<T> {
    const reserved = memberId === null ? null : await this.take(this.limits.password_member, String(memberId));
    if (reserved?.refused) {
      await this.giveBack([reserved]);
      throw this.refuse([reserved]);
    }
    try {
      const result = await attempt();
      await this.giveBack([reserved]);
      return result;
    } catch (error) {
      if (!isWrongPassword(error)) await this.giveBack([reserved]);
      throw error;
    }
  }

  /**
   * Consumes one point of each [limit, key] (a null limit or key is skipped); throws RATE_LIMITED
   * when any refuses, after handing back the points the others took: a refused request did
   * nothing, so it uses up no allowance (a member refused at a busy address still has theirs).
   */
  private async consumeAll(...checks: Array<[Limit | null, string | null]>): Promise<void> {
    const outcomes = await Promise.all(checks.map(([limit, key]) => (key === null ? null : this.take(limit, key))));
    const refused = outcomes.filter((outcome) => outcome?.refused);
    if (refused.length === 0) return;
    await this.giveBack(outcomes.filter((outcome) => !outcome?.refused));
    throw this.refuse(refused);
  }

  /** Hands back the points these outcomes took (best effort: a store failure only leaves a count one higher). */
  private async giveBack(outcomes: Outcome[]): Promise<void> {
    await Promise.all(outcomes.map((outcome) => outcome?.limit.limiter.reward(outcome.key).catch(() => undefined)));
  }

  private refuse(refused: Outcome[]): RateLimitedError {
    let msBeforeNext = 0;
    for (const outcome of refused) {
      if (!outcome) continue;
      if (outcome.limit.name !== 'anonymous_views') this.onLimited(outcome.limit.name);
      msBeforeNext = Math.max(msBeforeNext, outcome.res.msBeforeNext);
    }
    return new RateLimitedError(msBeforeNext);
  }

  /** One point of `key`. A store failure (both Redis and its memory twin) lets the request through: limits never fail a request. */
  private async take(limit: Limit | null, key: string): Promise<Outcome> {
    if (!limit) return null;
    try {
      return { limit, key, res: await limit.limiter.consume(key), refused: false };
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return { limit, key, res: rejection, refused: true };
      this.logger.warn('rate limit store failed; request let through', { limit: limit.name, error: rejection });
      return null;
    }
  }

  private limiter(keyPrefix: string, points: number, duration: number, shared: boolean): RateLimiterAbstract {
    const memory = new RateLimiterMemory({ keyPrefix, points, duration });
    if (!this.redis || !shared) return memory;
    return new RateLimiterRedis({ storeClient: this.redis, keyPrefix, points, duration, insuranceLimiter: memory, rejectIfRedisNotReady: true });
  }
}

/** One ioredis client for every limiter, connected by start(); commands fail at once while it is not ready. */
function connectLazily(url: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    lazyConnect: true,
    // Never queue a command while disconnected: the memory twin answers at once instead.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    // Keep trying, at most every 2 s; never give up.
    retryStrategy: (times: number) => Math.min(100 * times, 2000),
    keepAlive: 10_000,
    // On stop, a socket that never connected (Redis down) would otherwise hold the process ioredis' default 2 s.
    disconnectTimeout: 500,
  });
  // Without an error listener ioredis reports connection errors as unhandled.
  redis.on('error', (error: Error) => logger.warn('redis (rate limits) error; limits count per process meanwhile', { error: error.message }));
  return redis;
}
