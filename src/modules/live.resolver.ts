/**
 * The live API: subscriptions over WebSocket (graphql-transport-ws). The
 * fan-out, conflation and replay live in live/live-hub.ts; these resolvers
 * only hand each subscription its stream and map messages to the schema.
 */
import { Arg, ID, Resolver, Root, Subscription } from 'type-graphql';
import type { SubscribeResolverData } from 'type-graphql';
import { CommentEdge } from './comment/comment.types';
import type { RequestContext } from './context';
import { PollResults } from './poll/poll-results';
import { PostStats } from './post/post.types';

type Subscribe<TArgs> = SubscribeResolverData<unknown, TArgs, RequestContext>;

@Resolver()
export class LiveResolver {
  @Subscription(() => PollResults, {
    subscribe: ({ args, context }: Subscribe<{ pollId: string }>) => context.services.live.subscribePollResults(context, args.pollId),
    description:
      'The poll\'s results as the subscriber may see them (Poll.resultsVisibility): first the current results at once, then the ' +
      'latest results after every change, at most one message per poll per conflation interval, never skipping the final state. ' +
      'Hidden tallies never leave the server.',
  })
  pollResultsUpdated(@Root() results: PollResults, @Arg('pollId', () => ID, { description: 'The poll to watch.' }) _pollId: string): PollResults {
    return results;
  }

  @Subscription(() => CommentEdge, {
    subscribe: ({ args, context }: Subscribe<{ postId: string; after?: string | null }>) =>
      context.services.live.subscribeComments(context, args.postId, args.after ?? null),
    description:
      'Every new comment or reply on the post, exactly once each, in commit order, as an edge whose cursor fits ' +
      '`comments(orderBy: OLDEST)` or `replies`. With `after` (a cursor of such an edge), the comments and replies created after it ' +
      'are replayed first, so a client that reconnects misses nothing. Fields that depend on the viewer are resolved for the subscriber.',
  })
  commentAdded(
    @Root() item: { edge: CommentEdge },
    @Arg('postId', () => ID, { description: 'The thread or poll to watch.' }) _postId: string,
    @Arg('after', () => String, { nullable: true, description: 'Cursor of the last comment the client has.' }) _after: string | null,
  ): CommentEdge {
    return item.edge;
  }

  @Subscription(() => PostStats, {
    subscribe: ({ args, context }: Subscribe<{ postId: string }>) => context.services.live.subscribePostStats(context, args.postId),
    description: 'The post\'s counters: first the current ones at once, then after every change, conflated like poll results.',
  })
  postStatsUpdated(@Root() stats: PostStats, @Arg('postId', () => ID, { description: 'The post to watch.' }) _postId: string): PostStats {
    return stats;
  }
}
