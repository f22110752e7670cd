/**
 * Member.posts and Member.comments: what a member wrote, newest first. Readable by the member
 * themself only (moderators too, once the moderation issue adds roles: see mayReadHistoryOf); for
 * everyone else, anonymous viewers included, an empty list with totalCount 0, never an error, so a
 * byline never leads to a member's history.
 */
import { freshViewerOf } from '../moderation/visibility';
import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { pageSize } from '../../graphql/input-validation';
import { PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX, Page, PageInfo } from '../../graphql/pagination';
import { AUTHOR_COMMENTS_ORDER } from '../comment/comment.service';
import { CommentConnection } from '../comment/comment.types';
import type { RequestContext } from '../context';
import { authorCursorId } from '../author-pages';
import { AUTHOR_POSTS_ORDER } from '../post/post-lists.service';
import { PostConnection } from '../post/post.types';
import { Member } from './member.entity';
import { isModeratorRole } from '../moderation/moderation.enums';

/**
 * Whether `viewer` may read `member`'s own lists. The one place that decides: the moderation issue
 * adds moderators here.
 */
export function mayReadHistoryOf(viewer: Member | null, member: Member): boolean {
  return viewer !== null && (viewer.id === member.id || isModeratorRole(viewer.role));
}

function emptyPage<T>(after: string | null): Page<T> {
  const pageInfo = Object.assign(new PageInfo(), { hasNextPage: false, hasPreviousPage: after !== null, startCursor: null, endCursor: null });
  return { edges: [], nodes: [], pageInfo };
}

@Resolver(() => Member)
export class MemberHistoryResolver {
  @FieldResolver(() => PostConnection, {
    description:
      "The member's posts that are not deleted, newest first. Only the member themself and moderators may read it (hidden and removed " +
      'posts included, with their moderationState); for anyone else, anonymous viewers included, it is empty (totalCount 0) and never ' +
      "an error, so a byline never leads to a member's history. `first` is 1..100.",
  })
  async posts(
    @Root() member: Member,
    @Ctx() context: RequestContext,
    @Arg('first', () => Int, {
      nullable: true,
      defaultValue: PAGE_SIZE_DEFAULT,
      description: `How many posts to return, 1..${PAGE_SIZE_MAX} (BAD_USER_INPUT on first otherwise).`,
    })
    first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'A cursor from this list: the posts after it (older ones).' }) after: string | null,
  ): Promise<PostConnection> {
    const request = { authorId: member.id, first: pageSize(first), after: after ?? null };
    // Checked here, not in the batch: one bad cursor must not fail another member's list of the request.
    authorCursorId(request.after, AUTHOR_POSTS_ORDER);
    if (!mayReadHistoryOf(await freshViewerOf(context), member)) return Object.assign(new PostConnection(), emptyPage(request.after), { countTotal: () => 0 });
    const page = await context.loaders.postPageByAuthorRequest.load(request);
    page.nodes.forEach((post) => context.loaders.postById.prime(post.id, post));
    return Object.assign(new PostConnection(), page, { countTotal: () => context.loaders.postCountByAuthorId.load(member.id) });
  }

  @FieldResolver(() => CommentConnection, {
    description:
      "The member's comments and replies that are not deleted, on posts that are not deleted, newest first. Readable as `posts` is: " +
      'the member themself and moderators; empty for everyone else. `first` is 1..100.',
  })
  async comments(
    @Root() member: Member,
    @Ctx() context: RequestContext,
    @Arg('first', () => Int, {
      nullable: true,
      defaultValue: PAGE_SIZE_DEFAULT,
      description: `How many comments to return, 1..${PAGE_SIZE_MAX} (BAD_USER_INPUT on first otherwise).`,
    })
    first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'A cursor from this list: the comments after it (older ones).' }) after: string | null,
  ): Promise<CommentConnection> {
    // Moderators also see comments on other members' removed posts; the member themself cannot reach those posts.
    const asModerator = context.viewer !== null && isModeratorRole(context.viewer.role);
    const request = { authorId: member.id, first: pageSize(first), after: after ?? null, ...(asModerator ? { withOthersRemovedPosts: true } : {}) };
    authorCursorId(request.after, AUTHOR_COMMENTS_ORDER);
    if (!mayReadHistoryOf(await freshViewerOf(context), member))
      return Object.assign(new CommentConnection(), emptyPage(request.after), { countTotal: () => 0 });
    const page = await context.loaders.commentPageByAuthorRequest.load(request);
    page.nodes.forEach((comment) => context.loaders.commentById.prime(comment.id, comment));
    const counts = asModerator ? context.loaders.commentCountByAuthorIdForModerators : context.loaders.commentCountByAuthorId;
    return Object.assign(new CommentConnection(), page, { countTotal: () => counts.load(member.id) });
  }
}
