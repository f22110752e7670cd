/**
 * moderateContent: moderators hide, unhide, remove and restore threads, polls and comments.
 *
 * - The moves (moderation.graphql): HIDE VISIBLE → HIDDEN, UNHIDE HIDDEN → VISIBLE, REMOVE VISIBLE or
 *   HIDDEN → REMOVED, RESTORE REMOVED → VISIBLE. An action whose resulting state is the current one
 *   changes nothing, logs nothing and publishes nothing; any other move is BAD_USER_INPUT on action.
 * - One transaction per action: the state, the counters, the reports it resolves and its log entry
 *   commit together; events go out after commit.
 * - Lock order: the post's row first (as addComment, deleteComment and every writer of a post), then
 *   the read. The state change is still a conditional UPDATE (WHERE moderation_state = the state
 *   read) and the counters move only when it changed a row, so two moderators acting on one item at
 *   once move each counter once, whatever the database.
 * - Counters: a REMOVED comment leaves its post's commentCount and its parent's replyCount once and
 *   comes back once on RESTORE; a REMOVED post leaves its topics' postCount (as deletePost does) and
 *   comes back on RESTORE. HIDDEN content stays counted.
 */
import type { EntityManager } from 'typeorm';
import type { Database, UnitOfWork } from '../../db/database';
import { affectedRows } from '../../db/dialect';
import { BadUserInputError, NotFoundError } from '../../graphql/errors';
import { cleanText } from '../../graphql/input-validation';
import { Comment } from '../comment/comment.entity';
import type { DomainEvent } from '../events';
import type { Member } from '../member/member.entity';
import { Post, PostKind } from '../post/post.entity';
import type { PostService } from '../post/post.service';
import type { Report } from '../report/report.entity';
import { resolveOpenReportsOn } from '../report/report-queue';
import type { TopicService } from '../topic/topic.service';
import { ModerationReason, ModerationState } from './moderation.enums';
import type { ModerationLogService } from './moderation-log.service';
import { ContentModerationAction } from './moderation.types';

export const MODERATION_NOTE_MAX = 1_000;

/** The subject of an action, its global id decoded at the API edge. */
export type ContentRef = { type: 'POST'; id: number; kind: PostKind } | { type: 'COMMENT'; id: number };

export interface ContentModeration {
  subject: ContentRef;
  action: ContentModerationAction;
  reason?: ModerationReason | null;
  note?: string | null;
}

export interface ContentModerationResult<T> {
  subject: T;
  /** The OPEN reports this action resolved as ACTIONED (HIDE and REMOVE that changed something); empty otherwise. */
  resolvedReports: Report[];
}

/** Each action's resulting state and the states it may start from. */
const MOVES: Record<ContentModerationAction, { to: ModerationState; from: readonly ModerationState[] }> = {
  [ContentModerationAction.HIDE]: { to: ModerationState.HIDDEN, from: [ModerationState.VISIBLE] },
  [ContentModerationAction.UNHIDE]: { to: ModerationState.VISIBLE, from: [ModerationState.HIDDEN] },
  [ContentModerationAction.REMOVE]: { to: ModerationState.REMOVED, from: [ModerationState.VISIBLE, ModerationState.HIDDEN] },
  [ContentModerationAction.RESTORE]: { to: ModerationState.VISIBLE, from: [ModerationState.REMOVED] },
};

/** A change to make: from the state read under the lock to the action's state. */
interface Move {
  from: string;
  to: ModerationState;
  /** Kept on HIDDEN and REMOVED; null once VISIBLE again ("null while VISIBLE"). */
  stateReason: ModerationReason | null;
  takesDown: boolean;
}

type Publish = UnitOfWork<DomainEvent>['publishAfterCommit'];

export class ContentModerationService {
  constructor(
    private readonly db: Database<DomainEvent>,
    private readonly posts: PostService,
    private readonly topics: TopicService,
    private readonly log: ModerationLogService,
  ) {}

  /** Applies one action for `moderator` (checked to be one at the API edge): the subject as it is now. */
  async moderate(moderator: Member, input: ContentModeration): Promise<ContentModerationResult<Post | Comment>> {
    const takesDown = input.action === ContentModerationAction.HIDE || input.action === ContentModerationAction.REMOVE;
    const reason = input.reason ?? null;
    if (takesDown && reason === null)
      throw new BadUserInputError('reason', `is needed to ${input.action === ContentModerationAction.HIDE ? 'hide' : 'remove'} content.`);
    const rawNote = input.note === null || input.note === undefined ? '' : cleanText(input.note, 'note', { max: MODERATION_NOTE_MAX, multiline: true });
    const note = rawNote === '' ? null : rawNote;

    return this.db.write(async ({ manager, publishAfterCommit }) => {
      const subject = input.subject;
      const current = subject.type === 'POST' ? await this.lockPost(manager, subject) : await this.lockComment(manager, subject.id);
      const move = this.moveOf(input.action, current.moderationState, takesDown ? reason : null);
      if (!move) return { subject: current, resolvedReports: [] };

      const changed =
        current instanceof Post
          ? await this.movePost(manager, current, move, publishAfterCommit)
          : await this.moveComment(manager, current, move, publishAfterCommit);
      if (!changed) return { subject: current, resolvedReports: [] };

      const logType = subject.type;
      const resolvedReports = move.takesDown ? await resolveOpenReportsOn(manager, { type: logType, id: subject.id }, moderator.id, publishAfterCommit) : [];
      await this.log.record(manager, { action: input.action, subjectType: logType, subjectId: subject.id, moderatorId: moderator.id, reason, note });
      const now =
        current instanceof Post
          ? await this.posts.reload(manager, current.id)
          : await manager.getRepository(Comment).findOneOrFail({ where: { id: current.id } });
      return { subject: now, resolvedReports };
    });
  }

  /** The move to make, null for an action whose resulting state is the current one; BAD_USER_INPUT on action for the others. */
  private moveOf(action: ContentModerationAction, state: string, stateReason: ModerationReason | null): Move | null {
    const { to, from } = MOVES[action];
    if (state === to) return null;
    if (!(from as readonly string[]).includes(state)) throw new BadUserInputError('action', `cannot ${action} content that is ${state}.`);
    return { from: state, to, stateReason, takesDown: action === ContentModerationAction.HIDE || action === ContentModerationAction.REMOVE };
  }

  /** The post, read after taking its row lock; a deleted or unknown one (or one of the other kind) is NOT_FOUND. */
  private async lockPost(manager: EntityManager, ref: { id: number; kind: PostKind }): Promise<Post> {
    await this.posts.lockRow(manager, ref.id);
    const post = await this.posts.findOfKind(manager, ref.id, ref.kind);
    if (!post) throw new NotFoundError(ref.kind === 'POLL' ? 'Poll' : 'Thread', 'subjectId');
    return post;
  }

  /** The comment, read after taking its post's row lock; a deleted one, or one of a deleted post, is NOT_FOUND. */
  private async lockComment(manager: EntityManager, id: number): Promise<Comment> {
    const found = await manager.getRepository(Comment).findOne({ where: { id }, select: { id: true, postId: true } });
    if (!found) throw new NotFoundError('Comment', 'subjectId');
    await this.posts.lockRow(manager, found.postId);
    const comment = await manager
      .getRepository(Comment)
      .createQueryBuilder('c')
      .where('c.id = :id AND c.deleted_at IS NULL', { id })
      .andWhere(this.posts.undeletedPostSql('c.post_id'))
      .getOne();
    if (!comment) throw new NotFoundError('Comment', 'subjectId');
    return comment;
  }

  /** Moves a post's state (HIDE and REMOVE also unpin it) and its topics' counts; whether a row changed. */
  private async movePost(manager: EntityManager, post: Post, move: Move, publishAfterCommit: Publish): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(Post)
      .set({ moderationState: move.to, moderationReason: move.stateReason, ...(move.takesDown ? { pinnedAt: null } : {}) })
      .where('id = :id AND moderation_state = :from AND deleted_at IS NULL', { id: post.id, from: move.from })
      .execute();
    if (affectedRows(result) !== 1) return false;
    if (move.to === ModerationState.REMOVED) await this.topics.forgetDeletedPost(manager, post.id);
    if (move.from === ModerationState.REMOVED) await this.topics.countRestoredPost(manager, post.id);
    publishAfterCommit({ type: 'postChanged', postId: post.id });
    return true;
  }

  /** Moves a comment's state and, entering or leaving REMOVED, its post's commentCount and parent's replyCount; whether a row changed. */
  private async moveComment(manager: EntityManager, comment: Comment, move: Move, publishAfterCommit: Publish): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(Comment)
      .set({ moderationState: move.to, moderationReason: move.stateReason })
      .where('id = :id AND moderation_state = :from AND deleted_at IS NULL', { id: comment.id, from: move.from })
      .execute();
    if (affectedRows(result) !== 1) return false;
    const delta = move.to === ModerationState.REMOVED ? -1 : move.from === ModerationState.REMOVED ? 1 : 0;
    if (delta !== 0) {
      await this.posts.adjustCommentCount(manager, comment.postId, delta);
      if (comment.parentId !== null) {
        await manager
          .createQueryBuilder()
          .update(Comment)
          .set({ replyCount: () => `reply_count + ${delta}` })
          .where('id = :id', { id: comment.parentId })
          .execute();
      }
      publishAfterCommit({ type: 'postStatsChanged', postId: comment.postId });
    }
    publishAfterCommit({ type: 'commentChanged', postId: comment.postId, commentId: comment.id });
    return true;
  }
}
