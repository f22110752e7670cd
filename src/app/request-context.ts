/**
 * The one request context, for HTTP requests and WebSocket operations
 * alike: who asks (from the bearer token) and from which address, the
 * rate limits of both, fresh loaders, and for subscriptions where they
 * came from.
 */
import { UnauthenticatedError } from '../graphql/errors';
import type { Logger } from '../logger';
import type { RequestContext } from '../modules/context';
import type { LiveHub } from '../modules/live/live-hub';
import { createLoaders } from '../modules/loaders';
import type { Member } from '../modules/member/member.entity';
import type { Services } from '../modules/services';
import type { Registration } from '../realtime/live-feed';
import type { RateLimits } from './rate-limits';

export interface Viewer {
  member: Member;
  tokenHash: string;
}

/**
 * No Authorization header: anonymous. A header that is not a valid, live
 * bearer token: UNAUTHENTICATED for the whole request, never anonymous, so
 * a client with a revoked token learns it at once.
 */
export async function authenticate(services: Services, header: string | undefined): Promise<Viewer | null> {
  if (header === undefined || header.trim() === '') return null;
  const match = /^Bearer\s+([A-Za-z0-9_-]{16,128})$/i.exec(header.trim());
  if (!match) throw new UnauthenticatedError('The Authorization header must be "Bearer <token>" with a token from signUp or logIn.');
  return services.members.authenticate(match[1]);
}

/**
 * The context of one request or subscribe. Its rate limits, loaders and child logger are built on
 * first read: every subscribe makes a context, and a live feed reads none of the three. Getters on
 * the class, not per object (an object with getters of its own is a slow dictionary in V8).
 */
class LazyContext {
  private builtLimits?: RequestContext['limits'];
  private builtLoaders?: RequestContext['loaders'];
  private builtLogger?: RequestContext['logger'];

  constructor(
    private readonly parts: { services: Services; logger: Logger; rateLimits: RateLimits },
    private readonly request: { requestId: string; clientAddress: string; memberId: number | null },
  ) {}

  get limits(): RequestContext['limits'] {
    return (this.builtLimits ??= this.parts.rateLimits.forRequest(this.request.clientAddress, this.request.memberId));
  }

  get loaders(): RequestContext['loaders'] {
    return (this.builtLoaders ??= createLoaders(this.parts.services, this.request.memberId));
  }

  /** Every line logged for this request or operation carries its id. */
  get logger(): RequestContext['logger'] {
    return (this.builtLogger ??= this.parts.logger.child({ requestId: this.request.requestId }));
  }
}

export function createContext(
  parts: { services: Services; liveHub: LiveHub; logger: Logger; rateLimits: RateLimits },
  request: { requestId: string; viewer: Viewer | null; clientAddress: string; live?: Registration; startedAt?: number },
): RequestContext {
  return Object.assign(
    new LazyContext(parts, { requestId: request.requestId, clientAddress: request.clientAddress, memberId: request.viewer?.member.id ?? null }),
    {
      clientAddress: request.clientAddress,
      requestId: request.requestId,
      startedAt: request.startedAt ?? performance.now(),
      viewer: request.viewer?.member ?? null,
      tokenHash: request.viewer?.tokenHash ?? null,
      liveHub: parts.liveHub,
      live: request.live,
    },
  );
}
