/**
 * The contract's Subscription type. The live transport (graphql-ws over
 * WebSocket, conflation, replay) is the next milestone (issue #3); until it
 * lands these fields are part of the schema so clients can code against them,
 * and any attempt to run one ends with a clear SERVICE_UNAVAILABLE error.
 * Domain events are already published after every commit (realtime/domain-events.ts).
 */
import { Arg, ID, Resolver, Root, Subscription } from 'type-graphql';
import { ClientError, ErrorCode } from '../graphql/errors';
import { CommentEdge } from './comment/comment.types';
import { PollResults } from './poll/poll-results';
import { PostStats } from './post/post.types';

function notServedYet(): AsyncIterable<never> {
  throw new ClientError('Subscriptions are not served by this version yet (WebSocket transport pending).', ErrorCode.SERVICE_UNAVAILABLE);
}

@Resolver()
export class LiveResolver {
  @Subscription(() => PollResults, {
    subscribe: notServedYet,
    description:
      'The poll\'s results as the subscriber may see them (Poll.resultsVisibility): first the current results at once, then the ' +
      'latest results after every change, at most one message per poll per conflation interval, never skipping the final state. ' +
      'Hidden tallies never leave the server.',
  })
  pollResultsUpdated(@Root() results: PollResults, @Arg('pollId', () => ID, { description: 'The poll to watch.' }) _pollId: string): PollResults {
    return results;
  }

  @Subscription(() => CommentEdge, {
    subscribe: notServedYet,
    description:
      'Every new comment or reply on the post, exactly once each, in commit order, as an edge whose cursor fits ' +
      '`comments(orderBy: OLDEST)` or `replies`. With `after` (a cursor of such an edge), the comments and replies created after it ' +
      'are replayed first, so a client that reconnects misses nothing. Fields that depend on the viewer are resolved for the subscriber.',
  })
  commentAdded(
    @Root() edge: CommentEdge,
    @Arg('postId', () => ID, { description: 'The thread or poll to watch.' }) _postId: string,
    @Arg('after', () => String, { nullable: true, description: 'Cursor of the last comment the client has.' }) _after: string | null,
  ): CommentEdge {
    return edge;
  }

  @Subscription(() => PostStats, {
    subscribe: notServedYet,
    description: 'The post\'s counters: first the current ones at once, then after every change, conflated like poll results.',
  })
  postStatsUpdated(@Root() stats: PostStats, @Arg('postId', () => ID, { description: 'The post to watch.' }) _postId: string): PostStats {
    return stats;
  }
}
