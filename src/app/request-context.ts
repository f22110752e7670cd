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

export function createContext(
  parts: { services: Services; liveHub: LiveHub; logger: Logger; rateLimits: RateLimits },
  request: { requestId: string; viewer: Viewer | null; clientAddress: string; live?: Registration; startedAt?: number },
): RequestContext {
  return {
    clientAddress: request.clientAddress,
    limits: parts.rateLimits.forRequest(request.clientAddress, request.viewer?.member.id ?? null),
    requestId: request.requestId,
    startedAt: request.startedAt ?? performance.now(),
    viewer: request.viewer?.member ?? null,
    tokenHash: request.viewer?.tokenHash ?? null,
    liveHub: parts.liveHub,
    loaders: createLoaders(parts.services, request.viewer?.member.id ?? null),
    // Every line logged for this request or operation carries its id.
    logger: parts.logger.child({ requestId: request.requestId }),
    ...(request.live ? { live: request.live } : {}),
  };
}
