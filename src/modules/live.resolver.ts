/**
 * The live API: subscriptions over WebSocket (graphql-transport-ws). The
 * fan-out, conflation and replay live in the feeds (live/live-hub.ts routes
 * events to them); these resolvers decode the arguments, hand each
 * subscription its stream and map messages to the schema.
 */
import { Arg, ID, Resolver, Root, Subscription } from 'type-graphql';
import type { SubscribeResolverData } from 'type-graphql';
import { signedIn } from '../graphql/api-edge';
import { NotFoundError } from '../graphql/errors';
import { decodeIdOf } from '../graphql/global-id';
import type { CommentItem } from './comment/comment-added.feed';
import type { CommentUpdateItem } from './comment/comment-updated.feed';
import { Comment } from './comment/comment.entity';
import { seqOfCursor } from './comment/comment.service';
import { CommentEdge } from './comment/comment.types';
import type { RequestContext } from './context';
import { executionScopes } from './live/execution-scope';
import type { SharedLoaders } from './loaders';
import type { Member } from './member/member.entity';
import { BylineDimension, PollResultsBreakdown } from './insights/breakdown.types';
import { PollResults } from './poll/poll-results';
import type { PostUpdateItem } from './post/post-updated.feed';
import { PostUpdate } from './post/post-update.types';
import { PostStats } from './post/post.types';
import type { ModerationQueueItem } from './report/moderation-queue.feed';
import { ModerationQueueUpdate } from './report/report.types';

type Subscribe<TArgs> = SubscribeResolverData<unknown, TArgs, RequestContext>;

// TypeGraphQL calls a @Subscription's `subscribe` with the resolver data only, never through the
// schema's container: the live hub reaches these functions through the request context.
//
// Each stream says how its items execute for this subscriber (executeWith): the WebSocket server
// executes each item once per cohort with it (src/realtime/cohort-payloads.ts), with the loaders
// shared by every subscriber of the item's flush plus this viewer's own (execution-scope.ts).

const noSharedLoaders = { sharedOf: () => null };
const flushLoaders = { sharedOf: (item: { shared: SharedLoaders }) => item.shared };

async function subscribePollResults({ args, context }: Subscribe<{ pollId: string }>): Promise<AsyncIterable<PollResults>> {
  const ref = decodeIdOf(args.pollId, 'pollId', ['Poll']);
  if (!ref) throw new NotFoundError('Poll', 'pollId');
  const stream = await context.liveHub.pollResults.subscribe(context.viewer?.id ?? null, context.live ?? null, ref.id);
  return stream.executeWith(executionScopes(context, noSharedLoaders));
}

async function subscribePollBreakdown({ args, context }: Subscribe<{ pollId: string; by: BylineDimension }>): Promise<AsyncIterable<PollResultsBreakdown>> {
  const ref = decodeIdOf(args.pollId, 'pollId', ['Poll']);
  if (!ref) throw new NotFoundError('Poll', 'pollId');
  const stream = await context.liveHub.pollBreakdowns.subscribe(context.viewer?.id ?? null, context.live ?? null, ref.id, args.by);
  return stream.executeWith(executionScopes(context, noSharedLoaders));
}

async function subscribePostStats({ args, context }: Subscribe<{ postId: string }>): Promise<AsyncIterable<PostStats>> {
  const ref = decodeIdOf(args.postId, 'postId', ['Thread', 'Poll']);
  if (!ref) throw new NotFoundError('Post', 'postId');
  const stream = await context.liveHub.postStats.subscribe(context.viewer?.id ?? null, context.live ?? null, ref.id, ref.type);
  return stream.executeWith(executionScopes(context, noSharedLoaders));
}

async function subscribeCommentAdded({ args, context }: Subscribe<{ postId: string; after?: string | null }>): Promise<AsyncIterable<CommentItem>> {
  const ref = decodeIdOf(args.postId, 'postId', ['Thread', 'Poll']);
  const afterSeq = args.after === null || args.after === undefined ? null : seqOfCursor(args.after, 'after');
  if (!ref) throw new NotFoundError('Post', 'postId');
  const stream = await context.liveHub.commentAdded.subscribe(context.viewer?.id ?? null, context.live ?? null, {
    postId: ref.id,
    typeName: ref.type,
    afterSeq,
  });
  return stream.executeWith(executionScopes(context, flushLoaders));
}

async function subscribePostUpdated({ args, context }: Subscribe<{ postId: string }>): Promise<AsyncIterable<PostUpdateItem>> {
  const ref = decodeIdOf(args.postId, 'postId', ['Thread', 'Poll']);
  if (!ref) throw new NotFoundError('Post', 'postId');
  const stream = await context.liveHub.postUpdated.subscribe(context.viewer?.id ?? null, context.live ?? null, { postId: ref.id, typeName: ref.type });
  return stream.executeWith(executionScopes(context, flushLoaders));
}

async function subscribeCommentUpdated({ args, context }: Subscribe<{ postId: string }>): Promise<AsyncIterable<CommentUpdateItem>> {
  const ref = decodeIdOf(args.postId, 'postId', ['Thread', 'Poll']);
  if (!ref) throw new NotFoundError('Post', 'postId');
  const stream = await context.liveHub.commentUpdated.subscribe(context.viewer?.id ?? null, context.live ?? null, { postId: ref.id, typeName: ref.type });
  return stream.executeWith(executionScopes(context, flushLoaders));
}

async function subscribeModerationQueue({ args, context }: Subscribe<{ after?: string | null }>): Promise<AsyncIterable<ModerationQueueItem>> {
  // UNAUTHENTICATED at once; the role (FORBIDDEN) and then the cursor are checked by the feed, the role read fresh.
  const viewer = signedIn(context.viewer);
  // The member as the feed read them for the message being sent (their role now, not when the socket connected).
  let member: Member = viewer;
  const stream = await context.liveHub.moderationQueue.subscribe(viewer.id, context.live ?? null, args.after ?? null, (_item, current) => {
    member = current;
  });
  return stream.executeWith(executionScopes(context, { ...flushLoaders, viewerOf: () => member }));
}

@Resolver()
export class LiveResolver {
  @Subscription(() => PollResults, {
    subscribe: subscribePollResults,
    description:
      "The poll's results as the subscriber may see them (Poll.resultsVisibility): first the current results at once, then the " +
      'latest results after every change, at most one message per poll per conflation interval, never skipping the final state. ' +
      'Hidden tallies never leave the server.',
  })
  pollResultsUpdated(@Root() results: PollResults, @Arg('pollId', () => ID, { description: 'The poll to watch.' }) _pollId: string): PollResults {
    return results;
  }

  @Subscription(() => PollResultsBreakdown, {
    subscribe: subscribePollBreakdown,
    description:
      "The poll's breakdown by `by`, as the subscriber may see it: first the current breakdown at once, then the latest after " +
      'every change of its version, at most one message per poll and dimension per conflation interval (LIVE_INTERVAL_MS), ' +
      'never skipping the final state; versions never go backwards. Every message is exactly what Poll.resultsBreakdown(by) ' +
      'would return to the subscriber at that moment, its visibility included (checked again for each message: a subscriber ' +
      'who votes in an ON_VOTE poll gets the groups with the next message): groups not shown and figures not yet published ' +
      'never leave the server, in no frame. So a vote switch sends nothing, and a hidden subscriber gets isHidden messages ' +
      "without groups until the tallies are theirs to see. An unknown poll, or a thread's id, ends the subscription at once with NOT_FOUND.",
  })
  pollBreakdownUpdated(
    @Root() breakdown: PollResultsBreakdown,
    @Arg('pollId', () => ID, { description: 'The poll to watch.' }) _pollId: string,
    @Arg('by', () => BylineDimension, { description: 'Industries or company size bands.' }) _by: BylineDimension,
  ): PollResultsBreakdown {
    return breakdown;
  }

  @Subscription(() => CommentEdge, {
    subscribe: subscribeCommentAdded,
    description:
      'Every new comment or reply on the post, exactly once each, in commit order, as an edge whose cursor fits ' +
      '`comments(orderBy: OLDEST)` or `replies`. With `after` (a cursor of such an edge), the comments and replies created after it ' +
      'are replayed first, so a client that reconnects misses nothing. Fields that depend on the viewer are resolved for the subscriber.',
  })
  commentAdded(
    @Root() item: CommentItem,
    @Arg('postId', () => ID, { description: 'The thread or poll to watch.' }) _postId: string,
    @Arg('after', () => String, { nullable: true, description: 'Cursor of the last comment the client has.' }) _after: string | null,
  ): CommentEdge {
    return item.edge;
  }

  @Subscription(() => PostStats, {
    subscribe: subscribePostStats,
    description: "The post's counters: first the current ones at once, then after every change, conflated like poll results.",
  })
  postStatsUpdated(@Root() stats: PostStats, @Arg('postId', () => ID, { description: 'The post to watch.' }) _postId: string): PostStats {
    return stats;
  }

  @Subscription(() => PostUpdate, {
    subscribe: subscribePostUpdated,
    description:
      "The post's state: first the current state at once, then after every change of the post itself: an edit (title, body, " +
      'description, options, topics), deletion, closing of a poll, and (moderation.graphql) a lock or unlock, pin or unpin, hide, ' +
      'unhide, removal or restoration. Changes in quick succession may be conflated into one message (the latest state wins, the ' +
      'final state is never skipped); a message arrives within a second of the change that caused it. Counters are not pushed ' +
      'here (see postStatsUpdated), nor profile changes of the author. Anyone who may read the post may subscribe, anonymous ' +
      'viewers included; an unknown or deleted post (or one removed, for who may not see it) ends at once with an `error` ' +
      'message (NOT_FOUND).',
  })
  postUpdated(@Root() item: PostUpdateItem, @Arg('postId', () => ID, { description: 'A thread or a poll.' }) _postId: string): PostUpdate {
    return item.update;
  }

  @Subscription(() => Comment, {
    subscribe: subscribeCommentUpdated,
    description:
      "Changes of the post's existing comments and replies, each message the changed comment in its new state as the subscriber " +
      'may see it: an edit (editComment), a deletion (deleteComment: isDeleted true, body "", author null), a change of its ' +
      'upvoteCount, and (moderation.graphql) hiding, unhiding, removal and restoration (a hidden comment reaches a subscriber who ' +
      'is neither its author nor a moderator with body "" and its moderationState and moderationReason, never with its text). ' +
      'Conflated per comment: several changes of one comment within a conflation interval (LIVE_INTERVAL_MS) give one message ' +
      'with the latest state; the final state is never skipped, and messages of one comment never go backwards. Nothing is sent ' +
      'at first (new comments come from commentAdded). Viewer-dependent fields (viewerHasUpvoted, viewerCanEdit, ...) are ' +
      'resolved for the subscriber. Anyone who may read the post may subscribe; an unknown or deleted post ends at once with an ' +
      '`error` message (NOT_FOUND), and a subscription whose post is deleted later ends with one.',
  })
  commentUpdated(
    @Root() item: CommentUpdateItem,
    @Arg('postId', () => ID, { description: 'The thread or poll whose comments and replies to watch.' }) _postId: string,
  ): Comment {
    return item.comment;
  }

  @Subscription(() => ModerationQueueUpdate, {
    subscribe: subscribeModerationQueue,
    description:
      'Moderators only: every change of the moderation queue, each exactly once and in commit order: a report created (status OPEN) ' +
      'and a report resolved (by resolveReport, or by moderateContent HIDE or REMOVE of its subject). Nothing is sent at first. ' +
      'With `after` (the cursor of a message received earlier), the changes committed after it are replayed first, then the live ' +
      'ones follow, so a moderator who reconnects misses nothing; a malformed cursor is BAD_USER_INPUT. Anonymous subscribers get ' +
      'an `error` message with UNAUTHENTICATED at once, members without the role one with FORBIDDEN; a subscriber who loses the ' +
      'role is ended with FORBIDDEN, and one who is suspended loses the socket (4403).',
  })
  moderationQueueUpdated(
    @Root() item: ModerationQueueItem,
    @Arg('after', () => String, { nullable: true, description: 'The cursor of the last message received: replay what came after it first.' })
    _after: string | null,
  ): ModerationQueueUpdate {
    return item.update;
  }
}
