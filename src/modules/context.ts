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
  /** Set for operations over WebSocket: which connection and operation this is (subscriptions are registered by it). */
  live?: Registration;
}
