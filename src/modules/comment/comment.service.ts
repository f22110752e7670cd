/**
 * Comments and replies: posting, editing, soft deletion (their lists: comment-lists.service.ts).
 *
 * Every comment takes the next number of its post's sequence (posts.comment_seq),
 * incremented under the post's row lock inside the comment's own transaction:
 * sequence order is commit order on every database, which OLDEST order, reply
 * order, their cursors and the live API's "each once, in order" all rely on.
 */
import { EntityManager } from 'typeorm';
import type { Database } from '../../db/database';
import { affectedRows } from '../../db/dialect';
import { BadUserInputError, ForbiddenError, NotFoundError } from '../../graphql/errors';
import { cleanText } from '../../graphql/input-validation';
import { CursorKey, decodeCursor, encodeCursor } from '../../graphql/pagination';
import type { DomainEvent } from '../events';
import type { Member } from '../member/member.entity';
import { PostLockedError } from '../moderation/moderation.errors';
import type { PostRef } from '../post/post-ref';
import type { RemovedCommentsSeen } from '../moderation/visibility';
import type { PostService } from '../post/post.service';
import type { RevisionService } from '../revision/revision.service';
import { CommentOrder } from './comment-order';
import { Comment } from './comment.entity';

export const COMMENT_BODY_MAX = 10_000;

/** The cursor order of Member.comments: the key is the comment id alone (ids only grow). */
export const AUTHOR_COMMENTS_ORDER = 'MEMBER_COMMENTS';

/** Which list a page is of: the top-level comments of a post, or the replies of a comment. */
export type CommentScope = { kind: 'post'; postId: number } | { kind: 'replies'; parentId: number };

export interface CommentPageRequest {
  scope: CommentScope;
  order: CommentOrder;
  first: number;
  after: string | null;
  /** Which REMOVED comments the list shows in full (the viewer's, see visibility.ts); the rest are listed like deleted ones. NONE when omitted. */
  removedSeen?: RemovedCommentsSeen;
}

/** A list whose size is asked for (CommentConnection.totalCount), for one viewer's view of REMOVED comments. */
export interface CommentCountRequest {
  scope: CommentScope;
  removedSeen: RemovedCommentsSeen;
}

/** Reply lists are always oldest first, so their cursors are OLDEST cursors. */
const SEQ_ORDER = CommentOrder.OLDEST;

export function commentCursor(comment: Comment, order: CommentOrder): string {
  return order === CommentOrder.MOST_UPVOTED ? encodeCursor(order, [comment.upvoteCount, comment.seq]) : encodeCursor(order, [comment.seq]);
}

/** The sequence number an OLDEST (or reply) cursor stands for. */
export function seqOfCursor(cursor: string, field = 'after'): number {
  return decodeCursor(cursor, SEQ_ORDER, ['int32'], field)[0];
}

/** The sort key of a comment-list cursor; BAD_USER_INPUT on `after` when it is not one of this order. */
export function commentCursorKey(cursor: string | null, order: CommentOrder): CursorKey | null {
  if (cursor === null) return null;
  return decodeCursor(cursor, order, order === CommentOrder.MOST_UPVOTED ? ['int32', 'int32'] : ['int32']);
}

export class CommentService {
  constructor(
    private readonly db: Database<DomainEvent>,
    private readonly posts: PostService,
    private readonly revisions: RevisionService,
  ) {}

  /** Comments by id; those of a deleted post are gone with it (node(id) of them is null). */
  findByIds(ids: readonly number[]): Promise<Comment[]> {
    return this.db.read((manager) =>
      manager
        .getRepository(Comment)
        .createQueryBuilder('c')
        .where('c.id IN (:...ids)', { ids: [...ids] })
        .andWhere(this.posts.undeletedPostSql('c.post_id'))
        .getMany(),
    );
  }

  /** The comment, inside the caller's unit of work, unless its post is deleted (then it is gone too). */
  private findOnUndeletedPost(manager: EntityManager, id: number): Promise<Comment | null> {
    return manager.getRepository(Comment).createQueryBuilder('c').where('c.id = :id', { id }).andWhere(this.posts.undeletedPostSql('c.post_id')).getOne();
  }

  /** A comment on `post`, or a reply to the comment `parentId` of the same post. */
  async add(viewer: Member, input: { post: PostRef; body: string; parentId?: number | null }): Promise<Comment> {
    const body = cleanText(input.body, 'body', { min: 1, max: COMMENT_BODY_MAX, multiline: true });

    return this.db.write(async ({ manager, publishAfterCommit }) => {
      // The post's row lock first, then the read: a deletePost racing this either came first (NOT_FOUND
      // here) or waits for this comment's commit; no comment lands on a post already deleted.
      await this.posts.lockRow(manager, input.post.id);
      const post = await this.posts.findOfKind(manager, input.post.id, input.post.kind);
      if (!post) throw new NotFoundError('Post', 'postId');
      // Read under the row lock: a lockPost racing this comment either committed first or waits for it.
      if (post.lockedAt !== null) throw new PostLockedError();

      let topLevelId: number | null = null;
      if (input.parentId !== null && input.parentId !== undefined) {
        const parent = await this.findOnUndeletedPost(manager, input.parentId);
        if (!parent || parent.deletedAt !== null) throw new NotFoundError('Comment', 'parentId');
        if (parent.postId !== post.id) throw new BadUserInputError('parentId', 'is a comment of another post.');
        // Replies are one level deep: a reply to a reply joins the same top-level comment.
        topLevelId = parent.parentId ?? parent.id;
      }

      const seq = await this.posts.takeCommentSeq(manager, post.id);
      const comment = manager.getRepository(Comment).create({
        postId: post.id,
        parentId: topLevelId,
        authorId: viewer.id,
        body,
        seq,
        createdAt: new Date(),
        editedAt: null,
        deletedAt: null,
        upvoteCount: 0,
        replyCount: 0,
      });
      await manager.getRepository(Comment).insert(comment);
      await this.revisions.recordFirst(manager, { type: 'COMMENT', id: comment.id }, viewer.id, comment.createdAt, { title: null, body, optionLabels: null });
      if (topLevelId !== null) await manager.getRepository(Comment).increment({ id: topLevelId }, 'replyCount', 1);

      publishAfterCommit({ type: 'commentAdded', postId: post.id, seq });
      publishAfterCommit({ type: 'postStatsChanged', postId: post.id });
      return comment;
    });
  }

  /**
   * Edits a comment's body (author only). Lock order post -> comment, as addComment and delete
   * take it, so revisions of one comment are numbered in commit order. A comment that is deleted,
   * or whose post is, is NOT_FOUND. Only a new text records a revision, sets editedAt and is
   * announced (commentChanged); the same text again changes nothing.
   */
  async edit(viewer: Member, input: { commentId: number; body: string }): Promise<Comment> {
    const body = cleanText(input.body, 'body', { min: 1, max: COMMENT_BODY_MAX, multiline: true });
    return this.db.write(async ({ manager, publishAfterCommit }) => {
      const found = await manager.getRepository(Comment).findOne({ where: { id: input.commentId }, select: { id: true, postId: true } });
      if (!found) throw new NotFoundError('Comment', 'commentId');
      await this.posts.lockRow(manager, found.postId);
      const post = await this.posts.reload(manager, found.postId);
      const comment = await this.reload(manager, found.id);
      if (post.deletedAt !== null || comment.deletedAt !== null) throw new NotFoundError('Comment', 'commentId');
      if (comment.authorId !== viewer.id) throw new ForbiddenError('Only the author may change this comment.');
      if (comment.body === body) return comment;
      const now = new Date();
      await manager.getRepository(Comment).update({ id: comment.id }, { body, editedAt: now });
      await this.revisions.record(manager, { type: 'COMMENT', id: comment.id }, comment.authorId, now, { title: null, body, optionLabels: null });
      publishAfterCommit({ type: 'commentChanged', postId: comment.postId, commentId: comment.id });
      return Object.assign(comment, { body, editedAt: now });
    });
  }

  /** Soft delete: replies stay in place; counts drop once, however many deletes race. */
  async delete(viewer: Member, commentId: number): Promise<Comment> {
    return this.db.write(async ({ manager, publishAfterCommit }) => {
      const found = await manager.getRepository(Comment).findOne({ where: { id: commentId }, select: { id: true, postId: true } });
      // Lock order post -> comment, as addComment takes it (its sequence update locks the post first):
      // the opposite order deadlocked a delete against a concurrent reply on PostgreSQL.
      if (found) await this.posts.lockRow(manager, found.postId);
      const comment = await this.authoredBy(manager, viewer, commentId);
      const now = new Date();
      const result = await manager
        .createQueryBuilder()
        .update(Comment)
        .set({ deletedAt: now })
        .where('id = :id AND deleted_at IS NULL', { id: comment.id })
        .execute();
      if (affectedRows(result) === 1) {
        comment.deletedAt = now;
        // A comment a moderator removed has left the counts already (read under the post's lock, so it cannot change meanwhile).
        if (comment.moderationState !== 'REMOVED') {
          await this.posts.adjustCommentCount(manager, comment.postId, -1);
          if (comment.parentId !== null) await manager.getRepository(Comment).decrement({ id: comment.parentId }, 'replyCount', 1);
          publishAfterCommit({ type: 'postStatsChanged', postId: comment.postId });
        }
        // Only when the row really changed: a repeated delete changes nothing live.
        publishAfterCommit({ type: 'commentChanged', postId: comment.postId, commentId: comment.id });
      }
      return manager.getRepository(Comment).findOneOrFail({ where: { id: comment.id } });
    });
  }

  private async authoredBy(manager: EntityManager, viewer: Member, commentId: number): Promise<Comment> {
    // A comment of a deleted post names nothing any more: NOT_FOUND, before the author check.
    const comment = await this.findOnUndeletedPost(manager, commentId);
    if (!comment) throw new NotFoundError('Comment', 'commentId');
    if (comment.authorId !== viewer.id) throw new ForbiddenError('Only the author may change this comment.');
    return comment;
  }

  /** The comment, inside the caller's unit of work, unless it is deleted (a placeholder) or its post is. */
  async findUndeleted(manager: EntityManager, id: number): Promise<Comment | null> {
    const comment = await this.findOnUndeletedPost(manager, id);
    return comment && comment.deletedAt === null ? comment : null;
  }

  /** The comment as the caller's transaction now sees it (after its counters moved). */
  reload(manager: EntityManager, id: number): Promise<Comment> {
    return manager.getRepository(Comment).findOneOrFail({ where: { id } });
  }

  /** Adds `delta` upvotes to a comment. */
  async adjustUpvoteCount(manager: EntityManager, commentId: number, delta: number): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(Comment)
      .set({ upvoteCount: () => `upvote_count + ${Math.trunc(delta)}` })
      .where('id = :id', { id: commentId })
      .execute();
  }

  /**
   * Comments and replies of a post after sequence number `afterSeq`, in
   * sequence (= commit) order: what the live API pushes next.
   */
  afterSeq(postId: number, afterSeq: number, limit: number): Promise<Comment[]> {
    return this.db.read((manager) =>
      manager
        .getRepository(Comment)
        .createQueryBuilder('c')
        .where('c.post_id = :postId AND c.seq > :afterSeq', { postId, afterSeq })
        .orderBy('c.seq', 'ASC')
        .limit(limit)
        .getMany(),
    );
  }
}
