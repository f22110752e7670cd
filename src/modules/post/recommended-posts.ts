/**
 * "Content you might like" at the API edge: the one code path of Query.recommendedPosts, shared
 * with Query.recommendations (insights), so that both answer exactly the same posts in the same
 * order, with the same errors and the same visibility rules, whatever changes in either.
 */
import { NotFoundError } from '../../graphql/errors';
import { pageSize } from '../../graphql/input-validation';
import type { RequestContext } from '../context';
import { visiblePost } from '../moderation/visibility';
import type { PostListService } from './post-lists.service';
import { PostRef, postRefOf } from './post-ref';
import type { Post } from './post.entity';

export const RECOMMENDATIONS_MAX = 20;
export const RECOMMENDATIONS_DEFAULT = 5;

export interface RecommendedPosts {
  /** The post `relatedTo` named, decoded; null when it was omitted. */
  related: PostRef | null;
  posts: Post[];
}

/**
 * BAD_USER_INPUT on "first" outside 1..20 and on a malformed "relatedTo"; NOT_FOUND when it names
 * no post (a deleted one, another type's id, or one removed for this viewer).
 */
export async function recommendedPostsFor(
  lists: PostListService,
  context: RequestContext,
  relatedTo: string | null | undefined,
  first: number | null | undefined,
): Promise<RecommendedPosts> {
  const size = pageSize(first, 'first', RECOMMENDATIONS_MAX, RECOMMENDATIONS_DEFAULT);
  const related = relatedTo === null || relatedTo === undefined ? null : postRefOf(relatedTo, 'relatedTo');
  // A post removed for this viewer names nothing, like a deleted one (the list leaves removed posts out for everyone).
  if (related && !(await visiblePost(await context.loaders.postById.load(related.id), context))) throw new NotFoundError('Post', 'relatedTo');
  return { related, posts: await lists.recommended(related, size) };
}
