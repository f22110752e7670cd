/**
 * What authors do to their own posts: edit a thread (and, for PollService,
 * the shared steps of editing a poll) with revisions, and delete a post.
 * Every writer takes the post's row lock before reading the post, so edits
 * and deletions of one post queue up in commit order.
 */
import type { EntityManager } from 'typeorm';
import type { Database, UnitOfWork } from '../../db/database';
import { affectedRows } from '../../db/dialect';
import { ForbiddenError, NotFoundError } from '../../graphql/errors';
import { cleanText } from '../../graphql/input-validation';
import type { DomainEvent } from '../events';
import type { Member } from '../member/member.entity';
import type { RevisionService } from '../revision/revision.service';
import { cleanTopicNames, TopicName, TopicService } from '../topic/topic.service';
import type { PostRef } from './post-ref';
import { Post, PostKind } from './post.entity';
import { POST_TITLE_MAX, PostService, THREAD_BODY_MAX } from './post.service';
import { buildSearchText } from './search-text';

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

export class PostAuthoringService {
  constructor(
    private readonly db: Database<DomainEvent>,
    private readonly posts: PostService,
    private readonly topics: TopicService,
    private readonly revisions: RevisionService,
  ) {}

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
    await this.posts.lockRow(manager, postId);
    const post = await this.posts.findOfKind(manager, postId, kind);
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
    const topics = edit.topics;
    let topicsChanged = false;
    if (topics !== null && post.moderationState === 'REMOVED') {
      // A removed post counts in no topic: count it back under its topics, re-file it (which moves
      // the counts of the topics it leaves and joins), and take it out of the new ones again.
      await this.topics.countRestoredPost(manager, post.id);
      topicsChanged = await this.topics.replacePostTopics(manager, post.id, topics);
      await this.topics.forgetDeletedPost(manager, post.id);
    } else if (topics !== null) {
      topicsChanged = await this.topics.replacePostTopics(manager, post.id, topics);
    }
    if (textChanged || topicsChanged) publishAfterCommit({ type: 'postChanged', postId: post.id });
    return this.posts.reload(manager, post.id);
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
      await this.posts.lockRow(manager, ref.id);
      const post = await this.posts.findOfKind(manager, ref.id, ref.kind);
      if (!post) throw new NotFoundError('Post', 'postId');
      if (post.authorId !== viewer.id) throw new ForbiddenError('Only the author may delete this post.');
      const now = new Date();
      // Conditional as well: on SQLite the unit of work is alone anyway, on PostgreSQL the lock decides.
      const deleted = await manager
        .createQueryBuilder()
        .update(Post)
        // A deleted post leaves Query.pinnedPosts at once: it is unpinned in the same write.
        .set({ deletedAt: now, pinnedAt: null })
        .where('id = :id AND deleted_at IS NULL', { id: post.id })
        .execute();
      if (affectedRows(deleted) !== 1) throw new NotFoundError('Post', 'postId');
      // A post a moderator removed has left its topics' counts already (moderateContent REMOVE).
      if (post.moderationState !== 'REMOVED') await this.topics.forgetDeletedPost(manager, post.id);
      publishAfterCommit({ type: 'postChanged', postId: post.id });
      post.deletedAt = now;
      post.pinnedAt = null;
      return post;
    });
  }
}
