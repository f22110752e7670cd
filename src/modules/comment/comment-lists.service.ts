/**
 * Lists of comments: pages of a post's top-level comments and of a
 * comment's replies (many lists in one query), their counts, and each
 * member's own comments (Member.comments). Comments of deleted posts are
 * left out.
 */
import type { Database } from '../../db/database';
import { plainEntity, plainRows } from '../../db/plain-rows';
import { Member } from '../member/member.entity';
import { CREDENTIALS } from '../member/session-lookups';
import { encodeCursor, Page, toPage } from '../../graphql/pagination';
import { AuthorPageRequest, authorCursorId } from '../author-pages';
import type { DomainEvent } from '../events';
import type { PostService } from '../post/post.service';
import { CommentOrder } from './comment-order';
import { Comment } from './comment.entity';
import type { RemovedCommentsSeen } from '../moderation/visibility';
import { AUTHOR_COMMENTS_ORDER, commentCursor, commentCursorKey, CommentCountRequest, CommentPageRequest } from './comment.service';

/**
 * Which comments a list holds (alias r), for a viewer who sees `seen` of the REMOVED ones in full.
 * A deleted comment, and a REMOVED one the viewer may not see, is listed as a placeholder while it
 * has replies (top-level comments only: replies have none) and is absent otherwise. Parameter
 * :seenAuthorId (see seenParameters).
 */
function listedSql(kind: 'post' | 'replies', seen: RemovedCommentsSeen): string {
  const shown = seen === 'ALL' ? '1 = 1' : seen === 'NONE' ? '1 = 0' : 'r.author_id = :seenAuthorId';
  const listed = `(r.deleted_at IS NULL AND (r.moderation_state <> 'REMOVED' OR ${shown}))`;
  return kind === 'post' ? `r.parent_id IS NULL AND (${listed} OR r.reply_count > 0)` : listed;
}

/** A comment (alias `alias`) is not on a post that a moderator removed and someone else wrote: gone for its author too. */
function notOnOthersRemovedPostSql(alias: string): string {
  return `NOT EXISTS (SELECT 1 FROM posts removed_post WHERE removed_post.id = ${alias}.post_id AND removed_post.moderation_state = 'REMOVED' AND removed_post.author_id <> ${alias}.author_id)`;
}

function seenParameters(seen: RemovedCommentsSeen): Record<string, number> {
  return typeof seen === 'object' ? { seenAuthorId: seen.authorId } : {};
}

function compareFor(order: CommentOrder): (a: Comment, b: Comment) => number {
  if (order === CommentOrder.NEWEST) return (a, b) => b.seq - a.seq;
  if (order === CommentOrder.MOST_UPVOTED) return (a, b) => b.upvoteCount - a.upvoteCount || a.seq - b.seq;
  return (a, b) => a.seq - b.seq;
}

export class CommentListService {
  constructor(
    private readonly db: Database<DomainEvent>,
    private readonly posts: PostService,
  ) {}

  /**
   * Pages of many lists in as few queries as possible (one per distinct
   * order/cursor/size, usually one): a window function ranks the rows of
   * every list at once, so a page of 20 comments with their first 3 replies
   * each costs two queries, not 21. The authors of the comments come with
   * them, read by the same statement (a join on the member's primary key):
   * the thread page shows every comment's byline, and this spares it one
   * members query per level of comments. Authors as memberById reads them (no
   * credentials), whether or not the viewer may see who wrote a comment: the
   * resolvers decide what is shown.
   */
  async pagesWithAuthors(requests: readonly CommentPageRequest[]): Promise<{ pages: Page<Comment>[]; authors: Member[] }> {
    const groups = new Map<string, CommentPageRequest[]>();
    for (const request of requests) {
      const key = JSON.stringify([request.scope.kind, request.order, request.first, request.after, request.removedSeen ?? 'NONE']);
      groups.set(key, [...(groups.get(key) ?? []), request]);
    }
    const byRequest = new Map<CommentPageRequest, Comment[]>();
    const authors: Member[] = [];
    for (const group of groups.values()) {
      const rows = await this.rankedRows(group);
      authors.push(...rows.authors);
      for (const request of group) {
        const scopeId = request.scope.kind === 'post' ? request.scope.postId : request.scope.parentId;
        const mine = rows.comments.filter((row) => (request.scope.kind === 'post' ? row.postId : row.parentId) === scopeId);
        byRequest.set(request, mine.sort(compareFor(request.order)));
      }
    }
    const pages = requests.map((request) =>
      toPage(byRequest.get(request) ?? [], request.first, request.after !== null, (comment) => commentCursor(comment, request.order)),
    );
    return { pages, authors };
  }

  private async rankedRows(group: CommentPageRequest[]): Promise<{ comments: Comment[]; authors: Member[] }> {
    const [{ scope, order, first, after, removedSeen = 'NONE' }] = group;
    const key = commentCursorKey(after, order);
    const partition = scope.kind === 'post' ? 'r.post_id' : 'r.parent_id';
    const orderSql = order === CommentOrder.NEWEST ? 'r.seq DESC' : order === CommentOrder.MOST_UPVOTED ? 'r.upvote_count DESC, r.seq ASC' : 'r.seq ASC';
    const scopeIds = group.map((request) => (request.scope.kind === 'post' ? request.scope.postId : request.scope.parentId));

    const conditions = [
      `${partition} IN (:...scopeIds)`,
      // A deleted (or, for this viewer, removed) comment stays as a placeholder while it has replies; such replies disappear.
      listedSql(scope.kind, removedSeen),
    ];
    if (key) {
      if (order === CommentOrder.OLDEST) conditions.push('r.seq > :k0');
      else if (order === CommentOrder.NEWEST) conditions.push('r.seq < :k0');
      else conditions.push('(r.upvote_count < :k0 OR (r.upvote_count = :k0 AND r.seq > :k1))');
    }
    const ranked =
      `SELECT ranked.id FROM (SELECT r.id AS id, ROW_NUMBER() OVER (PARTITION BY ${partition} ORDER BY ${orderSql}) AS rn ` +
      `FROM comments r WHERE ${conditions.join(' AND ')}) ranked WHERE ranked.rn <= :limit`;
    const parameters = { scopeIds, limit: first + 1, ...seenParameters(removedSeen), ...(key ? { k0: key[0], k1: key[1] ?? null } : {}) };
    return this.db.read(async (manager) => {
      const comments = plainEntity(manager, Comment);
      const members = plainEntity(manager, Member, CREDENTIALS);
      const [c, m] = [comments.as('c'), members.as('m')];
      const rows = await plainRows(
        manager,
        `SELECT ${c.columns}, ${m.columns} FROM ${comments.table} c LEFT JOIN ${members.table} m ON m.id = c.author_id WHERE c.id IN (${ranked})`,
        parameters,
      );
      const authors = new Map<number, Member>();
      for (const row of rows) if (m.present(row) && !authors.has(Number(row.m_id))) authors.set(Number(row.m_id), m.hydrate(row));
      return { comments: rows.map((row) => c.hydrate(row)), authors: [...authors.values()] };
    });
  }

  /**
   * Member.comments pages: each author's undeleted comments and replies on undeleted posts, newest
   * (highest id) first, one query per distinct (first, after) however many authors.
   */
  async pagesByAuthor(requests: readonly AuthorPageRequest[]): Promise<Page<Comment>[]> {
    const groups = new Map<string, AuthorPageRequest[]>();
    for (const request of requests) {
      const key = JSON.stringify([request.first, request.after, request.withOthersRemovedPosts ?? false]);
      groups.set(key, [...(groups.get(key) ?? []), request]);
    }
    const byRequest = new Map<AuthorPageRequest, Comment[]>();
    for (const group of groups.values()) {
      const [{ first, after, withOthersRemovedPosts = false }] = group;
      const afterId = authorCursorId(after, AUTHOR_COMMENTS_ORDER);
      const conditions = ['r.author_id IN (:...authorIds)', 'r.deleted_at IS NULL', this.posts.undeletedPostSql('r.post_id')];
      if (!withOthersRemovedPosts) conditions.push(notOnOthersRemovedPostSql('r'));
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
  async countsByAuthor(authorIds: readonly number[], withOthersRemovedPosts = false): Promise<Map<number, number>> {
    const rows = await this.db.read((manager) =>
      manager
        .getRepository(Comment)
        .createQueryBuilder('c')
        .select('c.author_id', 'authorId')
        .addSelect('COUNT(*)', 'count')
        .where('c.author_id IN (:...authorIds) AND c.deleted_at IS NULL', { authorIds: [...authorIds] })
        .andWhere(this.posts.undeletedPostSql('c.post_id'))
        .andWhere(withOthersRemovedPosts ? '1 = 1' : notOnOthersRemovedPostSql('c'))
        .groupBy('c.author_id')
        .getRawMany<{ authorId: number; count: number | string }>(),
    );
    return new Map(rows.map((row) => [Number(row.authorId), Number(row.count)]));
  }

  /**
   * The sizes of comment lists (CommentConnection.totalCount) as `listedSql` defines them, one query
   * per kind of list and view of REMOVED comments (one in a request).
   */
  async listCounts(requests: readonly CommentCountRequest[]): Promise<number[]> {
    const groups = new Map<string, CommentCountRequest[]>();
    for (const request of requests) {
      const key = JSON.stringify([request.scope.kind, request.removedSeen]);
      groups.set(key, [...(groups.get(key) ?? []), request]);
    }
    const counts = new Map<CommentCountRequest, number>();
    for (const group of groups.values()) {
      const [{ scope, removedSeen }] = group;
      const partition = scope.kind === 'post' ? 'r.post_id' : 'r.parent_id';
      const scopeIds = group.map((request) => (request.scope.kind === 'post' ? request.scope.postId : request.scope.parentId));
      const rows = await this.db.read((manager) =>
        plainRows(
          manager,
          `SELECT ${partition} AS scope_id, COUNT(*) AS count FROM comments r WHERE ${partition} IN (:...scopeIds) AND ${listedSql(scope.kind, removedSeen)} GROUP BY ${partition}`,
          { scopeIds, ...seenParameters(removedSeen) },
        ),
      );
      const byScope = new Map(rows.map((row) => [Number(row.scope_id), Number(row.count)]));
      group.forEach((request, index) => counts.set(request, byScope.get(scopeIds[index]) ?? 0));
    }
    return requests.map((request) => counts.get(request) ?? 0);
  }

  /** Top-level comments per post as anonymous viewers list them, one query for many posts. */
  async topLevelCounts(postIds: readonly number[]): Promise<Map<number, number>> {
    const rows = await this.db.read((manager) =>
      plainRows(
        manager,
        `SELECT r.post_id AS post_id, COUNT(*) AS count FROM comments r WHERE r.post_id IN (:...postIds) AND ${listedSql('post', 'NONE')} GROUP BY r.post_id`,
        { postIds: [...postIds] },
      ),
    );
    return new Map(rows.map((row) => [Number(row.post_id), Number(row.count)]));
  }
}
