/**
 * DataLoaders, created per request (never shared: they cache) and reached
 * only through the context. They turn the N lookups of a page into one query
 * per kind of data, so a thread page costs a constant number of statements.
 */
import DataLoader from 'dataloader';
import type { Page } from '../graphql/pagination';
import type { Comment } from './comment/comment.entity';
import type { CommentPageRequest } from './comment/comment.service';
import type { Member } from './member/member.entity';
import type { PollOption } from './poll/poll-option.entity';
import type { Post } from './post/post.entity';
import type { Services } from './services';
import type { Topic } from './topic/topic.entity';

export interface Loaders {
  memberById: DataLoader<number, Member | null>;
  postById: DataLoader<number, Post | null>;
  commentById: DataLoader<number, Comment | null>;
  topicById: DataLoader<number, Topic | null>;
  pollOptionById: DataLoader<number, PollOption | null>;
  topicsByPostId: DataLoader<number, Topic[]>;
  optionsByPollId: DataLoader<number, PollOption[]>;
  /** Option ids the viewer chose, per poll (empty for anonymous viewers). */
  viewerChoicesByPollId: DataLoader<number, number[]>;
  viewerUpvotedPostId: DataLoader<number, boolean>;
  viewerUpvotedCommentId: DataLoader<number, boolean>;
  commentPage: DataLoader<CommentPageRequest, Page<Comment>, string>;
  /**
   * "memberId:commentId" -> upvoted, for many viewers at once: the live API
   * resolves viewerHasUpvoted for every subscriber of an event in one query.
   */
  commentUpvotedByMember: DataLoader<string, boolean>;
  /** A poll row and its options from one read: consistent tallies for Poll.results. */
  pollStateById: DataLoader<number, { poll: Post; options: PollOption[] } | null>;
  topLevelCommentCountByPostId: DataLoader<number, number>;
}

function byId<T extends { id: number }>(load: (ids: readonly number[]) => Promise<T[]>): DataLoader<number, T | null> {
  return new DataLoader(async (ids) => {
    const rows = await load(ids);
    const found = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => found.get(id) ?? null);
  });
}

/** Loaders whose answers depend on who asks. */
type ViewerLoaders = Pick<Loaders, 'viewerChoicesByPollId' | 'viewerUpvotedPostId' | 'viewerUpvotedCommentId'>;
/** Loaders whose answers are the same for everyone: the live API shares them between subscribers of one event. */
export type SharedLoaders = Omit<Loaders, keyof ViewerLoaders>;

export function createLoaders(services: Services, viewerId: number | null): Loaders {
  return { ...createSharedLoaders(services), ...createViewerLoaders(services, viewerId) };
}

/** One viewer's loaders over shared ones: N subscribers of one event cost one query per shared kind. */
export function withViewer(shared: SharedLoaders, services: Services, viewerId: number | null): Loaders {
  return {
    ...shared,
    ...createViewerLoaders(services, viewerId),
    // Through the shared pair loader: every subscriber's flags of one event in one query.
    viewerUpvotedCommentId: new DataLoader(async (commentIds) =>
      viewerId === null ? commentIds.map(() => false) : shared.commentUpvotedByMember.loadMany(commentIds.map((id) => `${viewerId}:${id}`)),
    ),
  };
}

export function createSharedLoaders(services: Services): SharedLoaders {
  return {
    memberById: byId((ids) => services.members.findByIds(ids)),
    postById: byId((ids) => services.posts.findByIds(ids)),
    commentById: byId((ids) => services.comments.findByIds(ids)),
    topicById: byId((ids) => services.topics.findByIds(ids)),
    pollOptionById: byId((ids) => services.pollReads.findOptionsByIds(ids)),
    topicsByPostId: new DataLoader(async (postIds) => {
      const topics = await services.topics.topicsOfPosts(postIds);
      return postIds.map((id) => topics.get(id) ?? []);
    }),
    optionsByPollId: new DataLoader(async (pollIds) => {
      const options = await services.pollReads.optionsOfPolls(pollIds);
      return pollIds.map((id) => options.get(id) ?? []);
    }),
    commentPage: new DataLoader((requests) => services.comments.pages(requests), { cacheKeyFn: (request) => JSON.stringify(request) }),
    commentUpvotedByMember: new DataLoader(async (keys) => {
      const pairs = keys.map((key) => key.split(':').map(Number));
      const found = await services.upvotes.upvotesAmong([...new Set(pairs.map(([member]) => member))], 'COMMENT', [
        ...new Set(pairs.map(([, comment]) => comment)),
      ]);
      return keys.map((key) => found.has(key));
    }),
    pollStateById: new DataLoader(async (pollIds) => {
      const states = await services.pollReads.resultsState(pollIds);
      return pollIds.map((id) => states.get(id) ?? null);
    }),
    topLevelCommentCountByPostId: new DataLoader(async (postIds) => {
      const counts = await services.comments.topLevelCounts(postIds);
      return postIds.map((id) => counts.get(id) ?? 0);
    }),
  };
}

function createViewerLoaders(services: Services, viewerId: number | null): ViewerLoaders {
  return {
    viewerChoicesByPollId: new DataLoader(async (pollIds) => {
      if (viewerId === null) return pollIds.map(() => []);
      const choices = await services.pollReads.choicesOf(viewerId, pollIds);
      return pollIds.map((id) => choices.get(id) ?? []);
    }),
    viewerUpvotedPostId: new DataLoader(async (postIds) => {
      if (viewerId === null) return postIds.map(() => false);
      const upvoted = await services.upvotes.upvotedBy(viewerId, 'POST', postIds);
      return postIds.map((id) => upvoted.has(id));
    }),
    viewerUpvotedCommentId: new DataLoader(async (commentIds) => {
      if (viewerId === null) return commentIds.map(() => false);
      const upvoted = await services.upvotes.upvotedBy(viewerId, 'COMMENT', commentIds);
      return commentIds.map((id) => upvoted.has(id));
    }),
  };
}
