/**
 * Fills a fresh database before the server starts: the migrations, the demo community, then a
 * generated community on top (members, threads with comments and replies). Seeding goes through
 * the data layer in multi-row INSERTs because thousands of sign-ups through scrypt over HTTP would
 * take minutes. Every counter is computed from the rows inserted (comment_count, comment_seq,
 * reply_count, topics' post_count), so the server's invariants hold from the first request on.
 */
import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import type { DatabaseConfig } from '../src/config';
import { createDataSource } from '../src/db/data-source';
import { MIGRATIONS } from '../src/db/migrations';
import { loadDemoCommunity } from '../src/demo/load-demo';
import { Comment } from '../src/modules/comment/comment.entity';
import { ENTITIES } from '../src/modules/entities';
import { CompanySize } from '../src/modules/member/company-size';
import { Member } from '../src/modules/member/member.entity';
import { Post } from '../src/modules/post/post.entity';
import { buildSearchText } from '../src/modules/post/search-text';
import { PostTopic, Topic } from '../src/modules/topic/topic.entity';

export interface SeedSize {
  members: number;
  threads: number;
}

/** Database ids of what the measurements need. */
export interface SeededCommunity {
  /** Generated threads, each with COMMENTS_PER_THREAD top-level comments: the "cold" rotation. */
  threadIds: number[];
  /** The demo thread with the most comments: the "repeated" page. */
  popularThreadId: number;
  /** Threads with exactly 5, 20 and 100 top-level comments, for statements per page. */
  threadIdByCommentCount: Record<number, number>;
}

const CHUNK_SIZE = 150;
const COMMENTS_PER_THREAD = 24;
const TITLES = ['CIO', 'CTO', 'CISO', 'VP of Engineering', 'Director of IT', 'Head of Data', 'IT Manager', 'Enterprise Architect'];
const INDUSTRIES = ['Software', 'Banking', 'Healthcare', 'Retail', 'Manufacturing', null];
const SIZES = [CompanySize.EMPLOYEES_51_TO_200, CompanySize.EMPLOYEES_201_TO_500, CompanySize.EMPLOYEES_1001_TO_5000, CompanySize.EMPLOYEES_10001_PLUS];
const MINUTE = 60_000;

export async function seedDatabase(database: DatabaseConfig, size: SeedSize): Promise<SeededCommunity> {
  const dataSource = createDataSource(database, { entities: ENTITIES, migrations: MIGRATIONS });
  await dataSource.initialize();
  try {
    await dataSource.runMigrations({ transaction: 'each' });
    return await dataSource.transaction(async (manager) => {
      await loadDemoCommunity(manager, new Date());
      return generateCommunity(manager, size);
    });
  } finally {
    await dataSource.destroy();
  }
}

async function generateCommunity(manager: EntityManager, size: SeedSize): Promise<SeededCommunity> {
  const popular = await manager.createQueryBuilder(Post, 'p').select('p.id', 'id').orderBy('p.comment_count', 'DESC').limit(1).getRawOne<{ id: number }>();
  const memberIds = await insertMembers(manager, size.members);
  const topicIds = (await manager.createQueryBuilder(Topic, 't').select('t.id', 'id').getRawMany<{ id: number }>()).map((row) => Number(row.id));
  const now = Date.now();
  const plans = [
    ...Array.from({ length: size.threads }, (_, i) => ({ title: `Bench thread ${i + 1}`, comments: COMMENTS_PER_THREAD })),
    ...[5, 20, 100].map((count) => ({ title: `Bench thread with ${count} comments`, comments: count })),
  ];
  const postIds = await insertThreads(manager, plans, memberIds, now);
  await insertInChunks(
    manager,
    PostTopic,
    // The 5-, 20- and 100-comment threads share one topic, so that their pages differ only in comments
    // (their recommendations come from the same posts): what the statement count must not depend on.
    postIds.map((postId, i) => ({ postId, topicId: topicIds[i >= size.threads ? 0 : i % topicIds.length] })),
  );
  await manager.query(`UPDATE topics SET post_count = (SELECT COUNT(*) FROM post_topics pt WHERE pt.topic_id = topics.id)`);
  await insertComments(manager, postIds, plans, memberIds, now);
  await insertFirstRevisions(manager, Math.min(...postIds));
  return {
    threadIds: postIds.slice(0, size.threads),
    popularThreadId: Number(popular?.id),
    threadIdByCommentCount: { 5: postIds[size.threads], 20: postIds[size.threads + 1], 100: postIds[size.threads + 2] },
  };
}

async function insertInChunks<T extends ObjectLiteral>(manager: EntityManager, target: EntityTarget<T>, rows: QueryDeepPartialEntity<T>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK_SIZE) {
    await manager
      .createQueryBuilder()
      .insert()
      .into(target)
      .values(rows.slice(i, i + CHUNK_SIZE))
      .updateEntity(false)
      .execute();
  }
}

async function insertMembers(manager: EntityManager, count: number): Promise<number[]> {
  const before = await maxId(manager, 'members');
  await insertInChunks(
    manager,
    Member,
    Array.from({ length: count }, (_, i) => ({
      email: null,
      passwordHash: null,
      title: TITLES[i % TITLES.length],
      industry: INDUSTRIES[i % INDUSTRIES.length],
      companySize: SIZES[i % SIZES.length],
      joinedAt: new Date(Date.now() - (i + 1) * 3 * 60 * MINUTE),
    })),
  );
  const rows = await manager.query(`SELECT id FROM members WHERE id > ${before} ORDER BY id`);
  return rows.map((row: { id: number }) => Number(row.id));
}

async function insertThreads(manager: EntityManager, plans: { title: string; comments: number }[], memberIds: number[], now: number): Promise<number[]> {
  const before = await maxId(manager, 'posts');
  await insertInChunks(
    manager,
    Post,
    plans.map((plan, i) => {
      const body = `${plan.title}: how do you run this in your organization?\n\nWe are weighing the options and would like to hear what worked.`;
      return {
        kind: 'THREAD',
        title: plan.title,
        body,
        description: null,
        authorId: memberIds[i % memberIds.length],
        createdAt: new Date(now - 2 * 24 * 60 * MINUTE + i * MINUTE),
        viewCount: 100 + i,
        upvoteCount: 0,
        commentCount: totalComments(plan.comments),
        commentSeq: totalComments(plan.comments),
        searchText: buildSearchText({ title: plan.title, body }),
        allowsMultipleChoices: false,
        closesAt: null,
        isClosed: false,
        resultsVisibility: 'ALWAYS',
        participantCount: 0,
        totalVotes: 0,
        resultsVersion: 0,
        resultsUpdatedAt: new Date(now - 2 * 24 * 60 * MINUTE + i * MINUTE),
      };
    }),
  );
  const rows = await manager.query(`SELECT id FROM posts WHERE id > ${before} ORDER BY id`);
  return rows.map((row: { id: number }) => Number(row.id));
}

/** Top-level comment i (0-based) gets i % 5 replies: reply counts from 0 to 4, so "3 replies each" is cut for some. */
function repliesOf(index: number): number {
  return index % 5;
}

function totalComments(topLevel: number): number {
  let total = topLevel;
  for (let i = 0; i < topLevel; i++) total += repliesOf(i);
  return total;
}

/** Comments in posting order: each top-level comment, then its replies (seq follows that order). */
async function insertComments(manager: EntityManager, postIds: number[], plans: { comments: number }[], memberIds: number[], now: number): Promise<void> {
  const before = await maxId(manager, 'comments');
  const row = (postId: number, seq: number, parentId: number | null, author: number) => ({
    postId,
    parentId,
    authorId: memberIds[author % memberIds.length],
    body: parentId === null ? `Top-level comment ${seq}: we tried this last year.\n\nIt worked after a few changes.` : `Reply ${seq}: same here.`,
    seq,
    createdAt: new Date(now - 24 * 60 * MINUTE + seq * MINUTE),
    editedAt: null,
    deletedAt: null,
    upvoteCount: 0,
    replyCount: 0,
  });
  // Top-level first (replies need their ids), with the seq numbers they keep in posting order.
  const topLevel = postIds.flatMap((postId, p) =>
    topLevelSeqs(plans[p].comments).map((seq, i) => ({ ...row(postId, seq, null, p + i), replyCount: repliesOf(i) })),
  );
  await insertInChunks(manager, Comment, topLevel);
  const ids = await manager.query(`SELECT id, post_id AS "postId", seq FROM comments WHERE id > ${before}`);
  const idBySeq = new Map<string, number>(ids.map((r: { id: number; postId: number; seq: number }) => [`${Number(r.postId)}:${Number(r.seq)}`, Number(r.id)]));
  const replies = postIds.flatMap((postId, p) =>
    topLevelSeqs(plans[p].comments).flatMap((seq, i) =>
      Array.from({ length: repliesOf(i) }, (_, r) => row(postId, seq + r + 1, idBySeq.get(`${postId}:${seq}`) as number, p + i + r + 1)),
    ),
  );
  await insertInChunks(manager, Comment, replies);
}

function topLevelSeqs(count: number): number[] {
  const seqs: number[] = [];
  let seq = 1;
  for (let i = 0; i < count; i++) {
    seqs.push(seq);
    seq += 1 + repliesOf(i);
  }
  return seqs;
}

/** Version 1 of every generated post and comment, as createThread and addComment write it. */
async function insertFirstRevisions(manager: EntityManager, firstPostId: number): Promise<void> {
  const columns = 'subject_type, subject_id, number, editor_id, created_at, title, body, option_labels';
  await manager.query(
    `INSERT INTO revisions (${columns}) SELECT 'POST', p.id, 1, p.author_id, p.created_at, p.title, p.body, NULL FROM posts p WHERE p.id >= ${firstPostId}`,
  );
  await manager.query(
    `INSERT INTO revisions (${columns}) SELECT 'COMMENT', c.id, 1, c.author_id, c.created_at, NULL, c.body, NULL FROM comments c WHERE c.post_id >= ${firstPostId}`,
  );
}

async function maxId(manager: EntityManager, table: string): Promise<number> {
  const [row] = await manager.query(`SELECT COALESCE(MAX(id), 0) AS "max" FROM ${table}`);
  return Number(row.max);
}
