import { Arg, Ctx, FieldResolver, Int, Mutation, Resolver, Root, UseMiddleware } from 'type-graphql';
import { atArgument, idOf, signedIn } from '../../graphql/api-edge';
import { pageSize } from '../../graphql/input-validation';
import { PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX } from '../../graphql/pagination';
import type { RequestContext } from '../context';
import { Member } from '../member/member.entity';
import type { Post } from '../post/post.entity';
import { postRefOf } from '../post/post-ref';
import { PostInterface } from '../post/post.types';
import { CommentOrder } from './comment-order';
import { Comment } from './comment.entity';
import { AddCommentInput, AddCommentPayload, DeleteCommentInput, DeleteCommentPayload, EditCommentInput, EditCommentPayload } from './comment.inputs';
import { commentCursor, commentCursorKey, CommentService } from './comment.service';
import { CommentConnection, CommentEdge } from './comment.types';
import { CountsAsWrite } from '../write-limit';
import { ModerationState } from '../moderation/moderation.enums';
import { contentViewerOf, isRemovedFor, isWithheldFrom, removedCommentsSeenBy } from '../moderation/visibility';
import { reachableCommentOrNotFound, reachablePostOrNotFound } from '../moderation/reach';

/** The fields of Comment that are not plain columns (own class: the type grows with later fields). */
@Resolver(() => Comment)
export class CommentFieldResolver {
  @FieldResolver(() => PostInterface, { description: 'The thread or poll this comment is on.' })
  async post(@Root() comment: Comment, @Ctx() context: RequestContext): Promise<Post> {
    const post = await context.loaders.postById.load(comment.postId);
    if (!post) throw new Error(`comment ${comment.id} has no post ${comment.postId}`);
    return post;
  }

  @FieldResolver(() => Member, {
    nullable: true,
    description: 'Null once the comment is deleted, and while it is removed for everyone but its author and moderators.',
  })
  async author(@Root() comment: Comment, @Ctx() context: RequestContext): Promise<Member | null> {
    if (comment.isDeleted) return null;
    if (comment.moderationState === ModerationState.REMOVED && isRemovedFor(await contentViewerOf(context), comment)) return null;
    return context.loaders.memberById.load(comment.authorId);
  }

  @FieldResolver(() => String, {
    description:
      'Empty once the comment is deleted, and while it is hidden or removed for everyone but its author and moderators. ' +
      'Plain text; paragraphs separated by a blank line.',
  })
  async body(@Root() comment: Comment, @Ctx() context: RequestContext): Promise<string> {
    if (comment.isDeleted) return '';
    if (comment.moderationState !== ModerationState.VISIBLE && isWithheldFrom(await contentViewerOf(context), comment)) return '';
    return comment.body;
  }

  @FieldResolver(() => Comment, {
    nullable: true,
    description:
      'The top-level comment this one replies to; null for a top-level comment. Replies are one level deep: a reply to a reply joins the same top-level comment.',
  })
  parent(@Root() comment: Comment, @Ctx() context: RequestContext): Promise<Comment | null> | null {
    return comment.parentId === null ? null : context.loaders.commentById.load(comment.parentId);
  }

  @FieldResolver(() => Int, { description: 'Replies that are not deleted.' })
  replyCount(@Root() comment: Comment): number {
    return comment.replyCount;
  }

  @FieldResolver(() => CommentConnection, { description: 'Oldest first.' })
  async replies(
    @Root() comment: Comment,
    @Ctx() context: RequestContext,
    @Arg('first', () => Int, { nullable: true, defaultValue: PAGE_SIZE_DEFAULT, description: `1 to ${PAGE_SIZE_MAX}.` }) first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'Cursor of the last reply of the previous page.' }) after: string | null,
  ): Promise<CommentConnection> {
    const scope = { kind: 'replies' as const, parentId: comment.id };
    const request = { scope, order: CommentOrder.OLDEST, first: pageSize(first), after: after ?? null };
    // Checked here, not in the batch: one bad cursor must not fail the other lists of the request.
    commentCursorKey(request.after, request.order);
    if (comment.parentId !== null) {
      // Replies are one level deep, so a reply's own list is empty without a query.
      const pageInfo = { hasNextPage: false, hasPreviousPage: after !== null, startCursor: null, endCursor: null };
      return Object.assign(new CommentConnection(), { edges: [], nodes: [], pageInfo, countTotal: () => 0 });
    }
    const removedSeen = removedCommentsSeenBy(await contentViewerOf(context));
    const page = await context.loaders.commentPageByRequest.load({ ...request, removedSeen });
    // Listed like deleted ones, removed replies are exactly those replyCount leaves out; a viewer who sees some in full needs a count.
    const countTotal = () => (removedSeen === 'NONE' ? comment.replyCount : context.loaders.commentCountByListRequest.load({ scope, removedSeen }));
    return Object.assign(new CommentConnection(), page, { countTotal });
  }
}

/** Writes of comments. */
@Resolver(() => Comment)
export class CommentResolver {
  constructor(private readonly comments: CommentService) {}

  @Mutation(() => AddCommentPayload, { nullable: true, description: 'Comments on a post, or replies to a comment.' })
  @UseMiddleware(CountsAsWrite)
  async addComment(
    @Arg('input', () => AddCommentInput, { description: 'The comment.' }) input: AddCommentInput,
    @Ctx() context: RequestContext,
  ): Promise<AddCommentPayload> {
    const viewer = signedIn(context.viewer);
    const comment = await atArgument('input', async () => {
      const post = postRefOf(input.postId, 'postId');
      const parentId = input.parentId === null || input.parentId === undefined ? null : idOf(input.parentId, 'parentId', ['Comment'], 'Comment').id;
      // A post or comment removed for the viewer is gone, as a deleted one: NOT_FOUND on the field naming it.
      await reachablePostOrNotFound(context, post.id, 'postId');
      if (parentId !== null) await reachableCommentOrNotFound(context, parentId, 'parentId');
      return this.comments.add(viewer, { post, parentId, body: input.body });
    });
    const edge = new CommentEdge();
    edge.node = comment;
    edge.cursor = commentCursor(comment, CommentOrder.OLDEST);
    return { comment, commentEdge: edge };
  }

  @Mutation(() => EditCommentPayload, {
    nullable: true,
    description:
      'Author only (anyone else FORBIDDEN; a deleted comment, or one of a deleted post, NOT_FOUND). A new text becomes a ' +
      'new revision and sets editedAt; the same text again changes nothing.',
  })
  @UseMiddleware(CountsAsWrite)
  async editComment(
    @Arg('input', () => EditCommentInput, { description: 'The new text.' }) input: EditCommentInput,
    @Ctx() context: RequestContext,
  ): Promise<EditCommentPayload> {
    const viewer = signedIn(context.viewer);
    const comment = await atArgument('input', () =>
      this.comments.edit(viewer, { commentId: idOf(input.commentId, 'commentId', ['Comment'], 'Comment').id, body: input.body }),
    );
    context.loaders.afterEdit();
    return { comment };
  }

  @Mutation(() => DeleteCommentPayload, { nullable: true, description: 'Author only. Soft delete: replies stay in place.' })
  @UseMiddleware(CountsAsWrite)
  async deleteComment(
    @Arg('input', () => DeleteCommentInput, { description: 'The comment.' }) input: DeleteCommentInput,
    @Ctx() context: RequestContext,
  ): Promise<DeleteCommentPayload> {
    const viewer = signedIn(context.viewer);
    return { comment: await atArgument('input', () => this.comments.delete(viewer, idOf(input.commentId, 'commentId', ['Comment'], 'Comment').id)) };
  }
}
