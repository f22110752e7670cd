/**
 * Lists of posts: the one-query lists with their orders, filters and search,
 * recommendations, and each member's own posts (Member.posts). Deleted posts
 * are left out in SQL.
 */
import { EntityManager, SelectQueryBuilder } from 'typeorm';
import type { Database } from '../../db/database';
import { plainEntity, plainRows } from '../../db/plain-rows';
import { BadUserInputError, NotFoundError } from '../../graphql/errors';
import { cleanText } from '../../graphql/input-validation';
import { CursorKey, decodeCursor, encodeCursor, Page, toPage } from '../../graphql/pagination';
import { AuthorPageRequest, authorCursorId } from '../author-pages';
import type { DomainEvent } from '../events';
import { slugify, TopicService } from '../topic/topic.service';
import { COLUMN_ORDERS, POPULARITY_SQL, PostKindFilter, PostOrder, TRENDING_SCORE_SQL } from './post-order';
import type { PostRef } from './post-ref';
import { Post } from './post.entity';
import type { PostService } from './post.service';

const MAX_SEARCH_TERMS = 10;

export interface PostListArgs {
  first: number;
  after: string | null;
  orderBy: PostOrder;
  kind: PostKindFilter | null;
  topicSlug: string | null;
  search: string | null;
}

export interface PostListPage extends Page<Post> {
  /** Runs the COUNT only when a client asks for totalCount. */
  countTotal: () => Promise<number>;
}

/** The cursor order of Member.posts: the key is the post id alone (ids only grow). */
export const AUTHOR_POSTS_ORDER = 'MEMBER_POSTS';

function escapeLike(term: string): string {
  return term.replace(/[\\%_]/g, (char) => `\\${char}`);
}

export class PostListService {
  constructor(
    private readonly db: Database<DomainEvent>,
    private readonly posts: PostService,
    private readonly topics: TopicService,
  ) {}

  /**
   * Threads and polls in one SQL query: filters, keyset pagination and the
   * order all run in the database, never as a merge in JavaScript.
   */
  async list(args: PostListArgs, now = new Date()): Promise<PostListPage> {
    const filtered = (manager: EntityManager) => this.filteredQuery(manager, args);

    let key: CursorKey | null = null;
    let trendingNow = now.getTime();
    if (args.after !== null) {
      key = decodeCursor(
        args.after,
        args.orderBy,
        args.orderBy === PostOrder.TRENDING ? ['time', 'number', 'int32'] : [args.orderBy === PostOrder.NEWEST ? 'time' : 'int32', 'int32'],
      );
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
    // Removed posts are left out of every list and count, for everyone (moderation.graphql).
    const query = manager.getRepository(Post).createQueryBuilder('p').where("p.deleted_at IS NULL AND p.moderation_state <> 'REMOVED'");
    if (args.kind) query.andWhere('p.kind = :kind', { kind: args.kind });
    if (args.topicSlug !== null) {
      query.andWhere(`p.id IN (${this.topics.postIdsUnderTopicSql()})`, {
        // Derived like topic(slug:), so a name ("Remote Work") finds the topic too.
        slug: slugify(args.topicSlug),
      });
    }
    const terms = searchTerms(args.search);
    // Search leaves hidden posts out too: their withheld text must not make them findable.
    if (terms.length > 0) query.andWhere("p.moderation_state = 'VISIBLE'");
    terms.forEach((term, index) => {
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
      // Plain rows (src/db/plain-rows.ts), not the query builder: every thread page asks for recommendations.
      const posts = plainEntity(manager, Post);
      const p = posts.as('p');
      // Only VISIBLE posts are recommended: hidden and removed ones are left out for everyone.
      const conditions = ["p.deleted_at IS NULL AND p.moderation_state = 'VISIBLE'"];
      const orders = [];
      let shared = '';
      if (relatedTo) {
        // The related post's existence is part of the query (one statement on the thread page): no rows
        // at all then means it does not exist, or that nothing else is there to recommend.
        shared = `, ${this.topics.sharedTopicCountSql('p.id')} AS shared_topics`;
        conditions.push('p.id <> :relatedId');
        conditions.push('EXISTS (SELECT 1 FROM posts related WHERE related.id = :relatedId AND related.kind = :relatedKind AND related.deleted_at IS NULL)');
        orders.push('shared_topics DESC');
      }
      orders.push('popularity DESC', 'p.id DESC');
      // `first` is a validated page size (1..RECOMMENDATIONS_MAX): written into the text, a few texts at most.
      const rows = await plainRows(
        manager,
        `SELECT ${p.columns}${shared}, ${POPULARITY_SQL} AS popularity FROM ${posts.table} p WHERE ${conditions.join(' AND ')} ` +
          `ORDER BY ${orders.join(', ')} LIMIT ${Math.trunc(first)}`,
        relatedTo ? { relatedId: relatedTo.id, relatedKind: relatedTo.kind } : {},
      );
      const recommended = rows.map((row) => p.hydrate(row));
      // A deleted post is no post: NOT_FOUND, like an unknown id.
      if (relatedTo && recommended.length === 0 && !(await this.posts.findOfKind(manager, relatedTo.id, relatedTo.kind))) {
        throw new NotFoundError('Post', 'relatedTo');
      }
      return recommended;
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
}

/** Search terms: split on whitespace, lower-cased, at most MAX_SEARCH_TERMS. */
export function searchTerms(search: string | null): string[] {
  if (search === null) return [];
  const text = cleanText(search, 'search', { max: 200 }).toLowerCase();
  const terms = [...new Set(text.split(/\s+/).filter((term) => term !== ''))];
  if (terms.length > MAX_SEARCH_TERMS) throw new BadUserInputError('search', `may hold at most ${MAX_SEARCH_TERMS} words.`);
  return terms;
}
