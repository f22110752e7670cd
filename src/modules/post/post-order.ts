/**
 * Post list orders and the trending score.
 *
 * TRENDING score = (3 x upvotes + 2 x comments + views / 100 + 1) / (1 + age in hours / 24)
 * Activity weighs upvotes most, then comments, then views (a view is cheap);
 * the +1 lets brand-new posts in. The divisor decays it by age: a post's score
 * halves after its first day, thirds after two, and so on.
 * `now` is fixed in the cursor, so the pages of one walk rank posts alike.
 */
import { registerEnumType } from 'type-graphql';

export enum PostOrder {
  NEWEST = 'NEWEST',
  MOST_UPVOTED = 'MOST_UPVOTED',
  MOST_VIEWED = 'MOST_VIEWED',
  MOST_DISCUSSED = 'MOST_DISCUSSED',
  TRENDING = 'TRENDING',
}

registerEnumType(PostOrder, {
  name: 'PostOrder',
  description: 'Orders of Query.posts. Every order breaks ties by newest id, so pages never repeat or skip a row.',
  valuesConfig: {
    NEWEST: { description: 'Most recent first.' },
    MOST_UPVOTED: { description: 'Most upvotes first.' },
    MOST_VIEWED: { description: 'Most views first.' },
    MOST_DISCUSSED: { description: 'Most comments and replies first.' },
    TRENDING: { description: 'Upvotes, comments and views, decayed by age.' },
  },
});

export enum PostKindFilter {
  THREAD = 'THREAD',
  POLL = 'POLL',
}

registerEnumType(PostKindFilter, {
  name: 'PostKind',
  description: 'The two kinds of post.',
  valuesConfig: { THREAD: { description: 'Discussion threads.' }, POLL: { description: 'Polls.' } },
});

const HOUR_MS = 3_600_000;

/** The score in JavaScript, for unit tests and documentation; SQL below must match it. */
export function trendingScore(post: { upvoteCount: number; commentCount: number; viewCount: number; createdAt: Date }, now: Date): number {
  const ageHours = Math.max(0, (now.getTime() - post.createdAt.getTime()) / HOUR_MS);
  return (3 * post.upvoteCount + 2 * post.commentCount + post.viewCount / 100 + 1) / (1 + ageHours / 24);
}

/** The same score in portable SQL over alias `p`; `:trendingNow` is epoch ms. Future-dated rows count as age 0. */
export const TRENDING_SCORE_SQL =
  'CAST((3.0 * p.upvote_count + 2.0 * p.comment_count + p.view_count / 100.0 + 1.0) / ' +
  `(1.0 + (CASE WHEN p.created_at > :trendingNow THEN 0 ELSE (:trendingNow - p.created_at) END) / ${HOUR_MS * 24}.0) AS DOUBLE PRECISION)`;

/**
 * Popularity for recommendations: a stable measure of how much a post was
 * used, without decay: 20 per upvote, 10 per comment, 1 per view.
 */
export const POPULARITY_SQL = '(20 * p.upvote_count + 10 * p.comment_count + p.view_count)';

/** Simple orders: the counter column and its cursor name; all descending, id as tie-breaker. */
export const COLUMN_ORDERS: Record<Exclude<PostOrder, PostOrder.TRENDING>, string> = {
  [PostOrder.NEWEST]: 'p.created_at',
  [PostOrder.MOST_UPVOTED]: 'p.upvote_count',
  [PostOrder.MOST_VIEWED]: 'p.view_count',
  [PostOrder.MOST_DISCUSSED]: 'p.comment_count',
};
