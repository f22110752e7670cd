/**
 * Whether members upvoted posts and comments, batched per request; the live
 * API resolves viewerHasUpvoted for every subscriber of an event in one query
 * through the shared pair loader.
 */
import DataLoader from 'dataloader';
import { Comment } from '../comment/comment.entity';
import type { UpvoteService, UpvoteSubject } from './upvote.service';

/** Answers that are the same whoever asks (the live API shares them between subscribers). */
export interface UpvoteLoaders {
  /** "memberId:commentId" -> upvoted, for many viewers at once. */
  commentUpvotedByMemberAndId: DataLoader<string, boolean>;
  /** "memberId:postId" -> upvoted, for many viewers at once (postUpdated's subscribers). */
  postUpvotedByMemberAndId: DataLoader<string, boolean>;
}

/** The viewer's flags, and what an upvote of theirs invalidates. */
export interface UpvoteViewerLoaders {
  viewerUpvotedByPostId: DataLoader<number, boolean>;
  viewerUpvotedByCommentId: DataLoader<number, boolean>;
  /** The viewer upvoted or stopped upvoting this post or comment: forget the flag. */
  afterUpvote(subject: UpvoteSubject): void;
}

type Upvotes = Pick<UpvoteService, 'upvotesAmong' | 'upvotedBy'>;

export function createUpvoteLoaders(upvotes: Upvotes): UpvoteLoaders {
  const pairLoader = (subjectType: 'POST' | 'COMMENT') =>
    new DataLoader<string, boolean>(async (keys) => {
      const pairs = keys.map((key) => key.split(':').map(Number));
      const found = await upvotes.upvotesAmong([...new Set(pairs.map(([member]) => member))], subjectType, [...new Set(pairs.map(([, subject]) => subject))]);
      return keys.map((key) => found.has(key));
    });
  return {
    commentUpvotedByMemberAndId: pairLoader('COMMENT'),
    postUpvotedByMemberAndId: pairLoader('POST'),
  };
}

/**
 * `shared`: given for a live delivery, the flags go through its pair loaders
 * (every subscriber's flags of one flush in one query); null for a request,
 * where the viewer's flags are one query of their own.
 */
export function createUpvoteViewerLoaders(upvotes: Upvotes, viewerId: number | null, shared: UpvoteLoaders | null): UpvoteViewerLoaders {
  const flags = (subjectType: 'POST' | 'COMMENT') =>
    new DataLoader<number, boolean>(async (ids) => {
      if (viewerId === null) return ids.map(() => false);
      const upvoted = await upvotes.upvotedBy(viewerId, subjectType, ids);
      return ids.map((id) => upvoted.has(id));
    });
  const throughShared = (pairs: DataLoader<string, boolean>) =>
    new DataLoader<number, boolean>(async (ids) => (viewerId === null ? ids.map(() => false) : pairs.loadMany(ids.map((id) => `${viewerId}:${id}`))));
  const viewerUpvotedByPostId = shared ? throughShared(shared.postUpvotedByMemberAndId) : flags('POST');
  const viewerUpvotedByCommentId = shared ? throughShared(shared.commentUpvotedByMemberAndId) : flags('COMMENT');
  return {
    viewerUpvotedByPostId,
    viewerUpvotedByCommentId,
    afterUpvote(subject) {
      if (subject instanceof Comment) viewerUpvotedByCommentId.clear(subject.id);
      else viewerUpvotedByPostId.clear(subject.id);
    },
  };
}
