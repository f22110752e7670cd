/**
 * What moderators do to a post as a whole: lock it (no new comments, replies or votes) and pin it
 * to Query.pinnedPosts. Each change takes the post's row lock first (the order addComment, castVote
 * and deletePost take it), so a lock and a comment, or a pin and a deletion, of one post queue up in
 * commit order; each change and its log entry are one transaction, announced as postChanged after
 * the commit. A call that changes nothing (locking a locked post, ...) logs and announces nothing.
 */
import { EntityManager, In } from 'typeorm';
import type { Database } from '../../db/database';
import { serializeAppends } from '../../db/dialect';
import { BadUserInputError, NotFoundError } from '../../graphql/errors';
import { cleanOptionalText } from '../../graphql/input-validation';
import type { DomainEvent } from '../events';
import type { Member } from '../member/member.entity';
import { Post, PostKind } from '../post/post.entity';
import type { PostRef } from '../post/post-ref';
import type { PostService } from '../post/post.service';
import { MODERATION_NOTE_MAX } from './member-moderation.service';
import type { ModerationLogService } from './moderation-log.service';
import { ModerationLogAction, ModerationReason, ModerationState } from './moderation.enums';

/** At most this many posts are pinned at a time. */
export const MAX_PINNED_POSTS = 10;

/** The advisory-lock key pinPost serializes on (PostgreSQL), so two pins at once cannot make 11. */
const PIN_LOCK = 741_200;

export class PostControlService {
  constructor(
    private readonly db: Database<DomainEvent>,
    private readonly posts: PostService,
    private readonly log: ModerationLogService,
  ) {}

  /** lockPost: a locked post keeps its lock (and reason) and is returned unchanged. */
  async lock(moderator: Member, ref: PostRef, reason: ModerationReason, noteInput?: string | null): Promise<Post> {
    const note = cleanOptionalText(noteInput, 'note', { max: MODERATION_NOTE_MAX, multiline: true });
    return this.change(ref, async (manager, post, now) => {
      if (post.lockedAt !== null) return null;
      await manager.getRepository(Post).update({ id: post.id }, { lockedAt: now, lockReason: reason });
      await this.log.record(
        manager,
        { action: ModerationLogAction.LOCK, subjectType: 'POST', subjectId: post.id, moderatorId: moderator.id, reason, note },
        now,
      );
      return Object.assign(post, { lockedAt: now, lockReason: reason });
    });
  }

  /** unlockPost: a post that is not locked is returned unchanged. */
  async unlock(moderator: Member, ref: PostRef): Promise<Post> {
    return this.change(ref, async (manager, post, now) => {
      if (post.lockedAt === null) return null;
      await manager.getRepository(Post).update({ id: post.id }, { lockedAt: null, lockReason: null });
      await this.log.record(manager, { action: ModerationLogAction.UNLOCK, subjectType: 'POST', subjectId: post.id, moderatorId: moderator.id }, now);
      return Object.assign(post, { lockedAt: null, lockReason: null });
    });
  }

  /**
   * pinPost: only a VISIBLE post, and at most MAX_PINNED_POSTS at a time (BAD_USER_INPUT on postId
   * otherwise). A pinned post keeps its pinnedAt. Pins are counted under a lock of their own
   * (PostgreSQL), so two pins at once cannot both take the tenth place.
   */
  async pin(moderator: Member, ref: PostRef): Promise<Post> {
    return this.change(ref, async (manager, post, now) => {
      if (post.pinnedAt !== null) return null;
      if (post.moderationState !== ModerationState.VISIBLE) throw new BadUserInputError('postId', 'is hidden or removed: only visible posts can be pinned.');
      await serializeAppends(manager, PIN_LOCK);
      const pinned = await manager.getRepository(Post).createQueryBuilder('p').where('p.pinned_at IS NOT NULL AND p.deleted_at IS NULL').getCount();
      if (pinned >= MAX_PINNED_POSTS)
        throw new BadUserInputError('postId', `cannot be pinned: ${MAX_PINNED_POSTS} posts are pinned already (unpin one first).`);
      await manager.getRepository(Post).update({ id: post.id }, { pinnedAt: now });
      await this.log.record(manager, { action: ModerationLogAction.PIN, subjectType: 'POST', subjectId: post.id, moderatorId: moderator.id }, now);
      return Object.assign(post, { pinnedAt: now });
    });
  }

  /** unpinPost: a post that is not pinned is returned unchanged. */
  async unpin(moderator: Member, ref: PostRef): Promise<Post> {
    return this.change(ref, async (manager, post, now) => {
      if (post.pinnedAt === null) return null;
      await manager.getRepository(Post).update({ id: post.id }, { pinnedAt: null });
      await this.log.record(manager, { action: ModerationLogAction.UNPIN, subjectType: 'POST', subjectId: post.id, moderatorId: moderator.id }, now);
      return Object.assign(post, { pinnedAt: null });
    });
  }

  /**
   * Query.pinnedPosts: most recently pinned first. Hidden, removed and deleted posts are unpinned
   * when that happens; they are filtered here as well, so that no order of writes can show one.
   */
  pinned(): Promise<Post[]> {
    return this.db.read((manager) =>
      manager
        .getRepository(Post)
        .createQueryBuilder('p')
        .where('p.pinned_at IS NOT NULL AND p.deleted_at IS NULL AND p.moderation_state = :visible', { visible: ModerationState.VISIBLE })
        .orderBy('p.pinned_at', 'DESC')
        .addOrderBy('p.id', 'DESC')
        .limit(MAX_PINNED_POSTS)
        .getMany(),
    );
  }

  /**
   * The kinds of these posts, deleted ones included: the log names a post by a Thread or Poll id
   * also once its author deleted it.
   */
  async kindsOf(ids: readonly number[]): Promise<Map<number, PostKind>> {
    const rows = await this.db.read((manager) => manager.getRepository(Post).find({ select: { id: true, kind: true }, where: { id: In([...ids]) } }));
    return new Map(rows.map((row) => [row.id, row.kind]));
  }

  /**
   * Runs one change of a post under its row lock: `apply` returns the changed post, or null when
   * nothing changed (then the post comes back as it is, and nothing is announced).
   */
  private change(ref: PostRef, apply: (manager: EntityManager, post: Post, now: Date) => Promise<Post | null>): Promise<Post> {
    return this.db.write(async ({ manager, publishAfterCommit }) => {
      await this.posts.lockRow(manager, ref.id);
      const post = await this.posts.findOfKind(manager, ref.id, ref.kind);
      if (!post) throw new NotFoundError('Post', 'postId');
      const changed = await apply(manager, post, new Date());
      if (!changed) return post;
      publishAfterCommit({ type: 'postChanged', postId: post.id });
      return changed;
    });
  }
}
