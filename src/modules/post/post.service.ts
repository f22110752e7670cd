/**
 * Posts (threads and polls share the posts table): creation, lookup, the
 * one-query lists with their orders and filters, recommendations, views, and
 * the counters other modules change inside their own transactions.
 */
import { EntityManager, In, IsNull, SelectQueryBuilder } from 'typeorm';
import type { Database, UnitOfWork } from '../../db/database';
import { affectedRows, insertIgnoringDuplicate, lockRowForUpdate } from '../../db/dialect';
import { BadUserInputError, ForbiddenError, NotFoundError } from '../../graphql/errors';
import { cleanText } from '../../graphql/input-validation';
import { CursorKey, decodeCursor, encodeCursor, Page, toPage } from '../../graphql/pagination';
import type { DomainEvent } from '../events';
import type { Member } from '../member/member.entity';
import type { RevisionService } from '../revision/revision.service';
import { cleanTopicNames, slugify, TopicName, TopicService } from '../topic/topic.service';
import { duePollIds, markClosed, moveResults, PollResultsChange } from './poll-columns';
import { COLUMN_ORDERS, POPULARITY_SQL, PostKindFilter, PostOrder, TRENDING_SCORE_SQL } from './post-order';
import type { PostRef } from './post-ref';
import { Post, PostKind } from './post.entity';
import { PostView } from './post-view.entity';
import { buildSearchText } from './search-text';

export const POST_TITLE_MAX = 300;
export const THREAD_BODY_MAX = 20_000;
/** A repeat view by the same member within this window counts once. */
export const VIEW_WINDOW_MS = 30 * 60 * 1000;
const MAX_SEARCH_TERMS = 10;

export interface PostListArgs {
  first: number;
  after: string | null;
  orderBy: PostOrder;
  kind: PostKindFilter | null;
  topicSlug: string | null;
  search: string | null;
}

/**
 * One page of one member's own list (Member.posts, Member.comments): newest (highest id) first,
 * `after` a cursor of that list. Pages of many members are read in one query.
 */
export interface AuthorPageRequest {
  authorId: number;
  first: number;
  after: string | null;
}

/** The cursor order of Member.posts: the key is the post id alone (ids only grow). */
export const AUTHOR_POSTS_ORDER = 'MEMBER_POSTS';

/** The id an author-list cursor of `order` stands for; BAD_USER_INPUT on `after` when it is not one. */
export function authorCursorId(cursor: string | null, order: string): number | null {
  return cursor === null ? null : decodeCursor(cursor, order, ['int'])[0];
}

export interface PostListPage extends Page<Post> {
  /** Runs the COUNT only when a client asks for totalCount. */
  countTotal: () => Promise<number>;
}

/** Every fresh post starts from these; poll-only columns keep their defaults on threads. */
export interface NewPost {
  kind: PostKind;
  title: string;
  body: string | null;
  description: string | null;
  authorId: number;
  optionLabels?: readonly string[];
  allowsMultipleChoices?: boolean;
  closesAt?: Date | null;
  resultsVisibility?: Post['resultsVisibility'];
  topics: readonly TopicName[];
}

/** editThread's input, ids decoded: omitted or null fields stay as they are. */
export interface EditThreadData {
  threadId: number;
  title?: string | null;
  body?: string | null;
  topics?: string[] | null;
}

/** A post's whole text after an edit: what its revision and its search text hold. */
export interface PostText {
  title: string;
  /** The thread's body; null for polls. */
  body: string | null;
  /** The poll's description (null when none); null for threads. */
  description: string | null;
  /** The poll's option labels in display order; null for threads. */
  optionLabels: readonly string[] | null;
}

/** What an edit writes (applyEdit): the new text, whether a poll's options were replaced, the topics (null: unchanged). */
export interface PostEdit {
  text: PostText;
  optionsChanged: boolean;
  topics: readonly TopicName[] | null;
  now: Date;
}

type Publish = UnitOfWork<DomainEvent>['publishAfterCommit'];

function escapeLike(term: string): string {
  return term.replace(/[\\%_]/g, (char) => `\\${char}`);
}

export class PostService {
  constructor(
    private readonly db: Database<DomainEvent>,
    private readonly topics: TopicService,
    private readonly revisions: RevisionService,
  ) {}

  /*
   * A deleted post (deletePost) is gone for everyone: the reads below, which every lookup of a post
   * goes through (post(id), node(id), the loaders, the live feeds, every mutation naming a post),
   * leave it out as if it did not exist; lists and recommendations filter it out in SQL.
   */

  findByIds(ids: readonly number[]): Promise<Post[]> {
    return this.db.read((manager) => manager.getRepository(Post).find({ where: { id: In([...ids]), deletedAt: IsNull() } }));
  }

  /** The post with this id, only if it is of this kind (a poll's id is no thread id) and not deleted. */
  findOfKind(manager: EntityManager, id: number, kind: PostKind): Promise<Post | null> {
    return manager.getRepository(Post).findOne({ where: { id, kind, deletedAt: IsNull() } });
  }

  /** The undeleted posts of this kind among `ids`, inside the caller's unit of work. */
  findAllOfKind(manager: EntityManager, ids: readonly number[], kind: PostKind): Promise<Post[]> {
    return manager.getRepository(Post).find({ where: { id: In([...ids]), kind, deletedAt: IsNull() } });
  }

  /**
   * SQL that holds when the post `postIdSql` exists and is not deleted (a subquery), for other
   * modules' reads of things that hang off a post (comments, poll options): they vanish with it.
   */
  undeletedPostSql(postIdSql: string): string {
    return `EXISTS (SELECT 1 FROM posts live_post WHERE live_post.id = ${postIdSql} AND live_post.deleted_at IS NULL)`;
  }

  /** The post as the caller's transaction now sees it (after its counters moved). */
  reload(manager: EntityManager, id: number): Promise<Post> {
    return manager.getRepository(Post).findOneOrFail({ where: { id } });
  }

  async createThread(viewer: Member, input: { title: string; body: string; topics?: string[] | null }): Promise<Post> {
    const title = cleanText(input.title, 'title', { min: 1, max: POST_TITLE_MAX });
    const body = cleanText(input.body, 'body', { min: 1, max: THREAD_BODY_MAX, multiline: true });
    const topics = cleanTopicNames(input.topics, 'topics');
    return this.db.write(({ manager }) => this.insertPost(manager, { kind: 'THREAD', title, body, description: null, authorId: viewer.id, topics }));
  }

  /**
   * Edits a thread (author only). Inputs are checked before the unit of work, with createThread's
   * limits; the post's row lock is taken before the thread is read, so concurrent edits of one
   * post queue up and their revisions are numbered in commit order.
   */
  async editThread(viewer: Member, input: EditThreadData): Promise<Post> {
    const title = input.title === null || input.title === undefined ? null : cleanText(input.title, 'title', { min: 1, max: POST_TITLE_MAX });
    const body = input.body === null || input.body === undefined ? null : cleanText(input.body, 'body', { min: 1, max: THREAD_BODY_MAX, multiline: true });
    const topics = input.topics === null || input.topics === undefined ? null : cleanTopicNames(input.topics, 'topics');
    return this.db.write(async ({ manager, publishAfterCommit }) => {
      const thread = await this.lockForEdit(manager, viewer, input.threadId, 'THREAD');
      const text = { title: title ?? thread.title, body: body ?? thread.body, description: null, optionLabels: null };
      return this.applyEdit(manager, thread, { text, optionsChanged: false, topics, now: new Date() }, publishAfterCommit);
    });
  }

  /**
   * The post an edit may change, read after taking its row lock (lock first: the order every
   * writer of a post follows, addComment's included). A deleted post, an unknown id or one of
   * the other kind is NOT_FOUND on threadId/pollId; anyone but the author is FORBIDDEN.
   */
  async lockForEdit(manager: EntityManager, viewer: Member, postId: number, kind: PostKind): Promise<Post> {
    await this.lockRow(manager, postId);
    const post = await this.findOfKind(manager, postId, kind);
    if (!post || post.deletedAt !== null) throw new NotFoundError(kind === 'POLL' ? 'Poll' : 'Thread', kind === 'POLL' ? 'pollId' : 'threadId');
    if (post.authorId !== viewer.id) throw new ForbiddenError(`Only the ${kind === 'POLL' ? "poll's" : "thread's"} author may edit it.`);
    return post;
  }

  /**
   * Writes an edit of a post locked by lockForEdit. Only a real change of the text (title, body,
   * description, options) sets editedAt, recomputes the search text and records a revision: the
   * same text again, or topics alone, leave both as they were. Anything changed is announced
   * (postChanged) after commit. The post as it is now.
   */
  async applyEdit(manager: EntityManager, post: Post, edit: PostEdit, publishAfterCommit: Publish): Promise<Post> {
    const { text, now } = edit;
    const textChanged = edit.optionsChanged || text.title !== post.title || text.body !== post.body || text.description !== post.description;
    if (textChanged) {
      const searchText = buildSearchText({ title: text.title, body: text.body, description: text.description, optionLabels: text.optionLabels ?? undefined });
      await manager
        .getRepository(Post)
        .update({ id: post.id }, { title: text.title, body: text.body, description: text.description, searchText, editedAt: now });
      await this.revisions.record(manager, { type: 'POST', id: post.id }, post.authorId, now, {
        title: text.title,
        body: post.kind === 'POLL' ? text.description : text.body,
        optionLabels: post.kind === 'POLL' ? (text.optionLabels ?? []) : null,
      });
    }
    const topicsChanged = edit.topics !== null && (await this.topics.replacePostTopics(manager, post.id, edit.topics));
    if (textChanged || topicsChanged) publishAfterCommit({ type: 'postChanged', postId: post.id });
    return this.reload(manager, post.id);
  }

  /** Inserts a post and files it under its topics, inside the caller's transaction. */
  async insertPost(manager: EntityManager, data: NewPost): Promise<Post> {
    const now = new Date();
    const post = manager.getRepository(Post).create({
      kind: data.kind,
      title: data.title,
      body: data.body,
      description: data.description,
      authorId: data.authorId,
      createdAt: now,
      editedAt: null,
      deletedAt: null,
      viewCount: 0,
      upvoteCount: 0,
      commentCount: 0,
      commentSeq: 0,
      searchText: buildSearchText({ title: data.title, body: data.body, description: data.description, optionLabels: data.optionLabels }),
      allowsMultipleChoices: data.allowsMultipleChoices ?? false,
      closesAt: data.closesAt ?? null,
      isClosed: false,
      resultsVisibility: data.resultsVisibility ?? 'ALWAYS',
      participantCount: 0,
      totalVotes: 0,
      resultsVersion: 0,
      resultsUpdatedAt: now,
    });
    await manager.getRepository(Post).insert(post);
    await this.revisions.recordFirst(manager, { type: 'POST', id: post.id }, data.authorId, now, {
      title: data.title,
      body: data.kind === 'POLL' ? data.description : data.body,
      optionLabels: data.kind === 'POLL' ? (data.optionLabels ?? []) : null,
    });
    await this.topics.attachToPost(manager, post.id, data.topics);
    return post;
  }

  /**
   * Threads and polls in one SQL query: filters, keyset pagination and the
   * order all run in the database, never as a merge in JavaScript.
   */
  async list(args: PostListArgs, now = new Date()): Promise<PostListPage> {
    const filtered = (manager: EntityManager) => this.filteredQuery(manager, args);

    let key: CursorKey | null = null;
    let trendingNow = now.getTime();
    if (args.after !== null) {
      key = decodeCursor(args.after, args.orderBy, args.orderBy === PostOrder.TRENDING ? ['int', 'number', 'int'] : ['int', 'int']);
      if (args.orderBy === PostOrder.TRENDING) trendingNow = Number(key[0]);
    }

    const rows = await this.db.read(async (manager) => {
      const query = filtered(manager);
      if (args.orderBy === PostOrder.TRENDING) {
        query.addSelect(TRENDING_SCORE_SQL, 'trending_score').setParameter('trendingNow', trendingNow);
        if (key) query.andWhere(`(${TRENDING_SCORE_SQL} < :k1 OR (${TRENDING_SCORE_SQL} = :k1 AND p.id < :k2))`, { k1: key[1], k2: key[2] });
        query.orderBy('trending_score', 'DESC').addOrderBy('p.id', 'DESC');
      } else {
        const column = COLUMN_ORDERS[args.orderBy];
        if (key) query.andWhere(`(${column} < :k0 OR (${column} = :k0 AND p.id < :k1))`, { k0: key[0], k1: key[1] });
        query.orderBy(column, 'DESC').addOrderBy('p.id', 'DESC');
      }
      const { entities, raw } = await query.limit(args.first + 1).getRawAndEntities();
      const scores = new Map(raw.map((row: Record<string, unknown>) => [Number(row.p_id), Number(row.trending_score)]));
      return entities.map((post) => ({ post, score: scores.get(post.id) ?? 0 }));
    });

    const cursorOf = ({ post, score }: { post: Post; score: number }) => {
      switch (args.orderBy) {
        case PostOrder.TRENDING:
          return encodeCursor(args.orderBy, [trendingNow, score, post.id]);
        case PostOrder.NEWEST:
          return encodeCursor(args.orderBy, [post.createdAt.getTime(), post.id]);
        case PostOrder.MOST_UPVOTED:
          return encodeCursor(args.orderBy, [post.upvoteCount, post.id]);
        case PostOrder.MOST_VIEWED:
          return encodeCursor(args.orderBy, [post.viewCount, post.id]);
        case PostOrder.MOST_DISCUSSED:
          return encodeCursor(args.orderBy, [post.commentCount, post.id]);
      }
    };
    const page = toPage(rows, args.first, args.after !== null, cursorOf);
    return {
      edges: page.edges.map((edge) => ({ cursor: edge.cursor, node: edge.node.post })),
      nodes: page.nodes.map((row) => row.post),
      pageInfo: page.pageInfo,
      countTotal: () => this.db.read((manager) => filtered(manager).getCount()),
    };
  }

  private filteredQuery(manager: EntityManager, args: PostListArgs): SelectQueryBuilder<Post> {
    const query = manager.getRepository(Post).createQueryBuilder('p').where('p.deleted_at IS NULL');
    if (args.kind) query.andWhere('p.kind = :kind', { kind: args.kind });
    if (args.topicSlug !== null) {
      query.andWhere(`p.id IN (${this.topics.postIdsUnderTopicSql()})`, {
        // Derived like topic(slug:), so a name ("Remote Work") finds the topic too.
        slug: slugify(args.topicSlug),
      });
    }
    searchTerms(args.search).forEach((term, index) => {
      query.andWhere(`p.search_text LIKE :term${index} ESCAPE '\\'`, { [`term${index}`]: `%${escapeLike(term)}%` });
    });
    return query;
  }

  /**
   * "Content you might like": posts sharing the most topics with `relatedId`
   * first, then the most popular (POPULARITY_SQL); never the post itself.
   */
  async recommended(relatedTo: PostRef | null, first: number): Promise<Post[]> {
    return this.db.read(async (manager) => {
      const query = manager.getRepository(Post).createQueryBuilder('p').where('p.deleted_at IS NULL');
      if (relatedTo) {
        // A deleted post is no post: NOT_FOUND, like an unknown id.
        const related = await this.findOfKind(manager, relatedTo.id, relatedTo.kind);
        if (!related) throw new NotFoundError('Post', 'relatedTo');
        query
          .addSelect(this.topics.sharedTopicCountSql('p.id'), 'shared_topics')
          .andWhere('p.id <> :relatedId', { relatedId: related.id })
          .orderBy('shared_topics', 'DESC');
      }
      return query.addSelect(POPULARITY_SQL, 'popularity').addOrderBy('popularity', 'DESC').addOrderBy('p.id', 'DESC').limit(first).getMany();
    });
  }

  /**
   * Member.posts pages: each author's undeleted posts, newest first, one query per distinct
   * (first, after) however many authors (a window function ranks the rows of every author at
   * once; the index (author_id, id) serves it).
   */
  async pagesByAuthor(requests: readonly AuthorPageRequest[]): Promise<Page<Post>[]> {
    const groups = new Map<string, AuthorPageRequest[]>();
    for (const request of requests) {
      const key = JSON.stringify([request.first, request.after]);
      groups.set(key, [...(groups.get(key) ?? []), request]);
    }
    const byRequest = new Map<AuthorPageRequest, Post[]>();
    for (const group of groups.values()) {
      const [{ first, after }] = group;
      const afterId = authorCursorId(after, AUTHOR_POSTS_ORDER);
      const ranked =
        'SELECT ranked.id FROM (SELECT r.id AS id, ROW_NUMBER() OVER (PARTITION BY r.author_id ORDER BY r.id DESC) AS rn ' +
        `FROM posts r WHERE r.author_id IN (:...authorIds) AND r.deleted_at IS NULL${afterId === null ? '' : ' AND r.id < :afterId'}) ranked ` +
        'WHERE ranked.rn <= :limit';
      const rows = await this.db.read((manager) =>
        manager
          .getRepository(Post)
          .createQueryBuilder('p')
          .where(`p.id IN (${ranked})`, { authorIds: group.map((request) => request.authorId), afterId, limit: first + 1 })
          .getMany(),
      );
      for (const request of group)
        byRequest.set(
          request,
          rows.filter((post) => post.authorId === request.authorId).sort((a, b) => b.id - a.id),
        );
    }
    return requests.map((request) =>
      toPage(byRequest.get(request) ?? [], request.first, request.after !== null, (post) => encodeCursor(AUTHOR_POSTS_ORDER, [post.id])),
    );
  }

  /** How many undeleted posts each author has (Member.posts totalCount), one query for many authors. */
  async countsByAuthor(authorIds: readonly number[]): Promise<Map<number, number>> {
    const rows = await this.db.read((manager) =>
      manager
        .getRepository(Post)
        .createQueryBuilder('p')
        .select('p.author_id', 'authorId')
        .addSelect('COUNT(*)', 'count')
        .where('p.author_id IN (:...authorIds) AND p.deleted_at IS NULL', { authorIds: [...authorIds] })
        .groupBy('p.author_id')
        .getRawMany<{ authorId: number; count: number | string }>(),
    );
    return new Map(rows.map((row) => [Number(row.authorId), Number(row.count)]));
  }

  /**
   * Counts a view, once per VIEW_WINDOW_MS per post and viewer. A signed-in
   * member's view: a conditional upsert on post_views decides, so 10
   * simultaneous views count once. An anonymous view: `countsAnonymousView`
   * decides (the API edge keys it by client address), asked before the unit
   * of work so that no other store is waited on while it holds the database.
   */
  async recordView(viewer: Member | null, ref: PostRef, countsAnonymousView: (postId: number) => Promise<boolean>): Promise<Post> {
    const anonymousCounts = viewer ? false : await countsAnonymousView(ref.id);
    return this.db.write(async ({ manager, publishAfterCommit }) => {
      const post = await this.findOfKind(manager, ref.id, ref.kind);
      if (!post) throw new NotFoundError('Post', 'postId');
      const now = Date.now();
      let counts = anonymousCounts;
      if (viewer) {
        counts = await insertIgnoringDuplicate(manager, PostView, { postId: post.id, memberId: viewer.id, countedAt: new Date(now) });
        if (!counts) {
          const renewed = await manager
            .createQueryBuilder()
            .update(PostView)
            .set({ countedAt: new Date(now) })
            .where('post_id = :postId AND member_id = :memberId AND counted_at <= :windowStart', {
              postId: post.id,
              memberId: viewer.id,
              windowStart: now - VIEW_WINDOW_MS,
            })
            .execute();
          counts = affectedRows(renewed) === 1;
        }
      }
      if (counts) {
        await this.adjustCounter(manager, post.id, 'viewCount', 1);
        publishAfterCommit({ type: 'postStatsChanged', postId: post.id });
      }
      return manager.getRepository(Post).findOneOrFail({ where: { id: post.id } });
    });
  }

  /**
   * Deletes a post, softly: the row, its comments, votes, upvotes and revisions stay (every counter
   * stays exact, nothing dangles), deleted_at makes every read leave it out, and its topics'
   * postCount drops in the same transaction. Author only. The row lock comes first and the post is
   * read after it, so of deletes racing each other (or an edit, which takes the same lock and checks
   * deletedAt) exactly one sees the post undeleted: the others get NOT_FOUND, and the topics'
   * counts drop once.
   */
  async delete(viewer: Member, ref: PostRef): Promise<Post> {
    return this.db.write(async ({ manager, publishAfterCommit }) => {
      await this.lockRow(manager, ref.id);
      const post = await this.findOfKind(manager, ref.id, ref.kind);
      if (!post) throw new NotFoundError('Post', 'postId');
      if (post.authorId !== viewer.id) throw new ForbiddenError('Only the author may delete this post.');
      const now = new Date();
      // Conditional as well: on SQLite the unit of work is alone anyway, on PostgreSQL the lock decides.
      const deleted = await manager
        .createQueryBuilder()
        .update(Post)
        .set({ deletedAt: now })
        .where('id = :id AND deleted_at IS NULL', { id: post.id })
        .execute();
      if (affectedRows(deleted) !== 1) throw new NotFoundError('Post', 'postId');
      await this.topics.forgetDeletedPost(manager, post.id);
      publishAfterCommit({ type: 'postChanged', postId: post.id });
      post.deletedAt = now;
      return post;
    });
  }

  /**
   * Locks the post's row for the rest of the transaction (PostgreSQL), so
   * decisions that read before they write (a member's previous vote, whether
   * the poll is closed, a comment's post) cannot interleave with another
   * transaction's on the same post.
   */
  lockRow(manager: EntityManager, postId: number): Promise<void> {
    return lockRowForUpdate(manager, Post, postId);
  }

  /** Moves a poll's totals and raises its results version (poll-columns.ts); the poll as it is now. */
  async moveResults(manager: EntityManager, pollId: number, change: PollResultsChange): Promise<Post> {
    await moveResults(manager, pollId, change);
    return this.reload(manager, pollId);
  }

  /** Closes an open poll (closed flag, version + 1): the closed poll, or null when it was closed already. */
  async closePoll(manager: EntityManager, pollId: number, now: Date): Promise<Post | null> {
    return (await markClosed(manager, pollId, now)) ? this.reload(manager, pollId) : null;
  }

  /** Ids of open polls whose closesAt has passed, oldest first (at most `limit`). */
  duePollIds(manager: EntityManager, now: Date, limit: number): Promise<number[]> {
    return duePollIds(manager, now, limit);
  }

  /** Takes the next comment sequence number under the post's row lock (the UPDATE takes it). */
  async takeCommentSeq(manager: EntityManager, postId: number): Promise<number> {
    await manager
      .createQueryBuilder()
      .update(Post)
      .set({ commentSeq: () => 'comment_seq + 1', commentCount: () => 'comment_count + 1' })
      .where('id = :postId', { postId })
      .execute();
    const { commentSeq } = await manager.getRepository(Post).findOneOrFail({ where: { id: postId }, select: { id: true, commentSeq: true } });
    return commentSeq;
  }

  adjustCommentCount(manager: EntityManager, postId: number, delta: number): Promise<void> {
    return this.adjustCounter(manager, postId, 'commentCount', delta);
  }

  adjustUpvoteCount(manager: EntityManager, postId: number, delta: number): Promise<void> {
    return this.adjustCounter(manager, postId, 'upvoteCount', delta);
  }

  /** Counters move with `SET n = n + delta` in the writer's transaction: never read-modify-write. */
  private async adjustCounter(manager: EntityManager, postId: number, counter: 'viewCount' | 'commentCount' | 'upvoteCount', delta: number): Promise<void> {
    const column = { viewCount: 'view_count', commentCount: 'comment_count', upvoteCount: 'upvote_count' }[counter];
    await manager
      .createQueryBuilder()
      .update(Post)
      .set({ [counter]: () => `${column} + ${Math.trunc(delta)}` })
      .where('id = :postId', { postId })
      .execute();
  }
}

/** Search terms: split on whitespace, lower-cased, at most MAX_SEARCH_TERMS. */
export function searchTerms(search: string | null): string[] {
  if (search === null) return [];
  const text = cleanText(search, 'search', { max: 200 }).toLowerCase();
  const terms = [...new Set(text.split(/\s+/).filter((term) => term !== ''))];
  if (terms.length > MAX_SEARCH_TERMS) throw new BadUserInputError('search', `may hold at most ${MAX_SEARCH_TERMS} words.`);
  return terms;
}
