/**
 * Posts (threads and polls share the posts table): creation, lookup, views,
 * and the counters other modules change inside their own transactions. Lists
 * are post-lists.service.ts; authors' edits and deletions post-authoring.service.ts.
 */
import { EntityManager, In, IsNull } from 'typeorm';
import type { Database } from '../../db/database';
import { affectedRows, insertIgnoringDuplicate, lockRowForUpdate, rowLockFor } from '../../db/dialect';
import { plainEntity, plainRows } from '../../db/plain-rows';
import { NotFoundError } from '../../graphql/errors';
import { cleanText } from '../../graphql/input-validation';
import type { DomainEvent } from '../events';
import type { Member } from '../member/member.entity';
import type { RevisionService } from '../revision/revision.service';
import { cleanTopicNames, TopicName, TopicService } from '../topic/topic.service';
import { duePollIds, markClosed, movedPoll, moveResults, PollResultsChange } from './poll-columns';
import type { PostRef } from './post-ref';
import { Post, PostKind } from './post.entity';
import { PostView } from './post-view.entity';
import { buildSearchText } from './search-text';

export const POST_TITLE_MAX = 300;
export const THREAD_BODY_MAX = 20_000;
/** A repeat view by the same member within this window counts once. */
export const VIEW_WINDOW_MS = 30 * 60 * 1000;

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

  /** Every page reads its posts here (postById): plain rows (src/db/plain-rows.ts), not the repository's find. */
  async findByIds(ids: readonly number[]): Promise<Post[]> {
    if (ids.length === 0) return [];
    return this.db.read(async (manager) => {
      const posts = plainEntity(manager, Post);
      const p = posts.as('p');
      const rows = await plainRows(manager, `SELECT ${p.columns} FROM ${posts.table} p WHERE p.id IN (:...ids) AND p.deleted_at IS NULL`, { ids: [...ids] });
      return rows.map((row) => p.hydrate(row));
    });
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
      hiddenResultsVersion: 0,
      breakdownVersion: 1,
      participationChangedAt: now,
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
   * Locks the post's row for the rest of the transaction (PostgreSQL), so
   * decisions that read before they write (a member's previous vote, whether
   * the poll is closed, a comment's post) cannot interleave with another
   * transaction's on the same post.
   */
  lockRow(manager: EntityManager, postId: number): Promise<void> {
    return lockRowForUpdate(manager, Post, postId);
  }

  /**
   * lockRow and findOfKind in one statement (PostgreSQL: SELECT ... FOR UPDATE of the row, when it
   * is of this kind and not deleted): a vote holds the poll's lock for one round trip fewer. A row
   * of another kind or deleted is left unlocked, and the caller says NOT_FOUND without writing.
   * PostgreSQL checks a row that the lock's previous holder changed again as that commit left it
   * (a post deleted meanwhile is not found), as findOfKind after lockRow would see it.
   */
  lockAndFind(manager: EntityManager, id: number, kind: PostKind): Promise<Post | null> {
    return manager.getRepository(Post).findOne({ where: { id, kind, deletedAt: IsNull() }, lock: rowLockFor(manager) });
  }

  /**
   * Moves a poll's totals and raises its results version (poll-columns.ts); the poll as it is now.
   * `poll` must be the row as this transaction read it under its lock (lockAndFind, lockRow then
   * findOfKind), with no change to it since: the answer is worked out from it, not read again.
   */
  async moveResults(manager: EntityManager, poll: Post, change: PollResultsChange): Promise<Post> {
    await moveResults(manager, poll.id, change);
    return movedPoll(poll, change);
  }

  /** Closes an open poll (closed flag, version + 1): the closed poll, or null when it was closed already. `byTime`: the scheduler, at closesAt. */
  async closePoll(manager: EntityManager, pollId: number, now: Date, byTime = false): Promise<Post | null> {
    return (await markClosed(manager, pollId, now, byTime)) ? this.reload(manager, pollId) : null;
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
