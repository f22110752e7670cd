/**
 * `@UseMiddleware(CountsAsWrite)` marks a mutation that writes content (posts, comments, votes,
 * upvotes, views): it is counted against the member's and the address's write limits before the
 * resolver runs, so a refused one (RATE_LIMITED) writes nothing. Reads are never counted.
 */
import type { MiddlewareFn } from 'type-graphql';
import type { RequestContext } from './context';

export const CountsAsWrite: MiddlewareFn<RequestContext> = async ({ context }, next) => {
  await context.limits.write();
  return next();
};
