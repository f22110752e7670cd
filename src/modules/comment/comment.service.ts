/**
 * Comments and replies: posting, editing, soft deletion, and their lists.
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
import { CursorKey, decodeCursor, encodeCursor, Page, toPage } from '../../graphql/pagination';
import type { DomainEvent } from '../events';
import type { Member } from '../member/member.entity';
import type { PostRef } from '../post/post-ref';
import { AuthorPageRequest, authorCursorId, PostService } from '../post/post.service';
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
}

/** Reply lists are always oldest first, so their cursors are OLDEST cursors. */
const SEQ_ORDER = CommentOrder.OLDEST;

export function commentCursor(comment: Comment, order: CommentOrder): string {
  return order === CommentOrder.MOST_UPVOTED ? encodeCursor(order, [comment.upvoteCount, comment.seq]) : encodeCursor(order, [comment.seq]);
}

/** The sequence number an OLDEST (or reply) cursor stands for. */
export function seqOfCursor(cursor: string, field = 'after'): number {
  return decodeCursor(cursor, SEQ_ORDER, ['int'], field)[0];
}

/** The sort key of a comment-list cursor; BAD_USER_INPUT on `after` when it is not one of this order. */
export function commentCursorKey(cursor: string | null, order: CommentOrder): CursorKey | null {
  if (cursor === null) return null;
  return decodeCursor(cursor, order, order === CommentOrder.MOST_UPVOTED ? ['int', 'int'] : ['int']);
}

function compareFor(order: CommentOrder): (a: Comment, b: Comment) => number {
  if (order === CommentOrder.NEWEST) return (a, b) => b.seq - a.seq;
  if (order === CommentOrder.MOST_UPVOTED) return (a, b) => b.upvoteCount - a.upvoteCount || a.seq - b.seq;
  return (a, b) => a.seq - b.seq;
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
        await this.posts.adjustCommentCount(manager, comment.postId, -1);
        if (comment.parentId !== null) await manager.getRepository(Comment).decrement({ id: comment.parentId }, 'replyCount', 1);
        publishAfterCommit({ type: 'postStatsChanged', postId: comment.postId });
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
   * Pages of many lists in as few queries as possible (one per distinct
   * order/cursor/size, usually one): a window function ranks the rows of
   * every list at once, so a page of 20 comments with their first 3 replies
   * each costs two queries, not 21.
   */
  async pages(requests: readonly CommentPageRequest[]): Promise<Page<Comment>[]> {
    const groups = new Map<string, CommentPageRequest[]>();
    for (const request of requests) {
      const key = JSON.stringify([request.scope.kind, request.order, request.first, request.after]);
      groups.set(key, [...(groups.get(key) ?? []), request]);
    }
    const byRequest = new Map<CommentPageRequest, Comment[]>();
    for (const group of groups.values()) {
      const rows = await this.rankedRows(group);
      for (const request of group) {
        const scopeId = request.scope.kind === 'post' ? request.scope.postId : request.scope.parentId;
        const mine = rows.filter((row) => (request.scope.kind === 'post' ? row.postId : row.parentId) === scopeId);
        byRequest.set(request, mine.sort(compareFor(request.order)));
      }
    }
    return requests.map((request) =>
      toPage(byRequest.get(request) ?? [], request.first, request.after !== null, (comment) => commentCursor(comment, request.order)),
    );
  }

  private async rankedRows(group: CommentPageRequest[]): Promise<Comment[]> {
    const [{ scope, order, first, after }] = group;
    const key = commentCursorKey(after, order);
    const partition = scope.kind === 'post' ? 'r.post_id' : 'r.parent_id';
    const orderSql = order === CommentOrder.NEWEST ? 'r.seq DESC' : order === CommentOrder.MOST_UPVOTED ? 'r.upvote_count DESC, r.seq ASC' : 'r.seq ASC';
    const scopeIds = group.map((request) => (request.scope.kind === 'post' ? request.scope.postId : request.scope.parentId));

    const conditions = [
      `${partition} IN (:...scopeIds)`,
      // A deleted comment stays as a placeholder while it has replies; deleted replies disappear.
      scope.kind === 'post' ? 'r.parent_id IS NULL AND (r.deleted_at IS NULL OR r.reply_count > 0)' : 'r.deleted_at IS NULL',
    ];
    if (key) {
      if (order === CommentOrder.OLDEST) conditions.push('r.seq > :k0');
      else if (order === CommentOrder.NEWEST) conditions.push('r.seq < :k0');
      else conditions.push('(r.upvote_count < :k0 OR (r.upvote_count = :k0 AND r.seq > :k1))');
    }
    const ranked =
      `SELECT ranked.id FROM (SELECT r.id AS id, ROW_NUMBER() OVER (PARTITION BY ${partition} ORDER BY ${orderSql}) AS rn ` +
      `FROM comments r WHERE ${conditions.join(' AND ')}) ranked WHERE ranked.rn <= :limit`;
    return this.db.read((manager) =>
      manager
        .getRepository(Comment)
        .createQueryBuilder('c')
        .where(`c.id IN (${ranked})`, { scopeIds, limit: first + 1, ...(key ? { k0: key[0], k1: key[1] ?? null } : {}) })
        .getMany(),
    );
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

  /**
   * Member.comments pages: each author's undeleted comments and replies on undeleted posts, newest
   * (highest id) first, one query per distinct (first, after) however many authors.
   */
  async pagesByAuthor(requests: readonly AuthorPageRequest[]): Promise<Page<Comment>[]> {
    const groups = new Map<string, AuthorPageRequest[]>();
    for (const request of requests) {
      const key = JSON.stringify([request.first, request.after]);
      groups.set(key, [...(groups.get(key) ?? []), request]);
    }
    const byRequest = new Map<AuthorPageRequest, Comment[]>();
    for (const group of groups.values()) {
      const [{ first, after }] = group;
      const afterId = authorCursorId(after, AUTHOR_COMMENTS_ORDER);
      const conditions = ['r.author_id IN (:...authorIds)', 'r.deleted_at IS NULL', this.posts.undeletedPostSql('r.post_id')];
      if (afterId !== null) conditions.push('r.id < :afterId');
      const ranked =
        'SELECT ranked.id FROM (SELECT r.id AS id, ROW_NUMBER() OVER (PARTITION BY r.author_id ORDER BY r.id DESC) AS rn ' +
        `FROM comments r WHERE ${conditions.join(' AND ')}) ranked WHERE ranked.rn <= :limit`;
      const rows = await this.db.read((manager) =>
        manager
          .getRepository(Comment)
          .createQueryBuilder('c')
          .where(`c.id IN (${ranked})`, { authorIds: group.map((request) => request.authorId), afterId, limit: first + 1 })
          .getMany(),
      );
      for (const request of group)
        byRequest.set(
          request,
          rows.filter((row) => row.authorId === request.authorId).sort((a, b) => b.id - a.id),
        );
    }
    return requests.map((request) =>
      toPage(byRequest.get(request) ?? [], request.first, request.after !== null, (comment) => encodeCursor(AUTHOR_COMMENTS_ORDER, [comment.id])),
    );
  }

  /** How many comments each author has in their Member.comments list (its totalCount), one query for many authors. */
  async countsByAuthor(authorIds: readonly number[]): Promise<Map<number, number>> {
    const rows = await this.db.read((manager) =>
      manager
        .getRepository(Comment)
        .createQueryBuilder('c')
        .select('c.author_id', 'authorId')
        .addSelect('COUNT(*)', 'count')
        .where('c.author_id IN (:...authorIds) AND c.deleted_at IS NULL', { authorIds: [...authorIds] })
        .andWhere(this.posts.undeletedPostSql('c.post_id'))
        .groupBy('c.author_id')
        .getRawMany<{ authorId: number; count: number | string }>(),
    );
    return new Map(rows.map((row) => [Number(row.authorId), Number(row.count)]));
  }

  /** Visible top-level comments per post (CommentConnection.totalCount), one query for many posts. */
  async topLevelCounts(postIds: readonly number[]): Promise<Map<number, number>> {
    const rows = await this.db.read((manager) =>
      manager
        .getRepository(Comment)
        .createQueryBuilder('c')
        .select('c.post_id', 'postId')
        .addSelect('COUNT(*)', 'count')
        .where('c.post_id IN (:...postIds) AND c.parent_id IS NULL AND (c.deleted_at IS NULL OR c.reply_count > 0)', { postIds: [...postIds] })
        .groupBy('c.post_id')
        .getRawMany<{ postId: number; count: number | string }>(),
    );
    return new Map(rows.map((row) => [Number(row.postId), Number(row.count)]));
  }
}
