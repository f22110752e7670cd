/**
 * Upvotes of posts and comments: once per member per subject, idempotent.
 * The upvotes primary key decides under concurrency; the subject's counter
 * moves only when a row was really inserted or deleted, in the same transaction.
 */
import { EntityManager } from 'typeorm';
import type { Database } from '../../db/database';
import { affectedRows, insertIgnoringDuplicate } from '../../db/dialect';
import { plainRows } from '../../db/plain-rows';
import { NotFoundError } from '../../graphql/errors';
import type { Comment } from '../comment/comment.entity';
import type { CommentService } from '../comment/comment.service';
import type { DomainEvent } from '../events';
import type { Member } from '../member/member.entity';
import type { Post, PostKind } from '../post/post.entity';
import type { PostService } from '../post/post.service';
import { Upvote, UpvoteSubjectType } from './upvote.entity';

export type UpvoteSubject = Post | Comment;

/** What a member upvotes: a post of its kind, or a comment, by database id. */
export interface UpvoteTarget {
  kind: PostKind | 'COMMENT';
  id: number;
}

export class UpvoteService {
  constructor(
    private readonly db: Database<DomainEvent>,
    private readonly posts: PostService,
    private readonly comments: CommentService,
  ) {}

  add(viewer: Member, target: UpvoteTarget): Promise<UpvoteSubject> {
    return this.change(viewer, target, 'add');
  }

  remove(viewer: Member, target: UpvoteTarget): Promise<UpvoteSubject> {
    return this.change(viewer, target, 'remove');
  }

  private async change(viewer: Member, target: UpvoteTarget, action: 'add' | 'remove'): Promise<UpvoteSubject> {
    const subjectType: UpvoteSubjectType = target.kind === 'COMMENT' ? 'COMMENT' : 'POST';

    return this.db.write(async ({ manager, publishAfterCommit }) => {
      const subject = await this.findSubject(manager, target);
      if (!subject) throw new NotFoundError('Post or comment', 'subjectId');
      const key = { memberId: viewer.id, subjectType, subjectId: target.id };
      const changed =
        action === 'add'
          ? await insertIgnoringDuplicate(manager, Upvote, { ...key, createdAt: new Date() })
          : affectedRows(await manager.getRepository(Upvote).delete(key)) === 1;
      if (!changed) return subject;

      const delta = action === 'add' ? 1 : -1;
      if (subjectType === 'COMMENT') {
        await this.comments.adjustUpvoteCount(manager, subject.id, delta);
        const comment = await this.comments.reload(manager, subject.id);
        // Only when the count really moved (an idempotent repeat returned above).
        publishAfterCommit({ type: 'commentChanged', postId: comment.postId, commentId: comment.id });
        return comment;
      }
      await this.posts.adjustUpvoteCount(manager, subject.id, delta);
      publishAfterCommit({ type: 'postStatsChanged', postId: subject.id });
      return this.posts.reload(manager, subject.id);
    });
  }

  private async findSubject(manager: EntityManager, { kind, id }: UpvoteTarget): Promise<UpvoteSubject | null> {
    // A deleted comment can no longer be upvoted (nor un-upvoted): it is a placeholder.
    if (kind === 'COMMENT') return this.comments.findUndeleted(manager, id);
    return this.posts.findOfKind(manager, id, kind);
  }

  /** Which (member, subject) pairs exist among these members and subjects: "memberId:subjectId" keys, one query. */
  async upvotesAmong(memberIds: readonly number[], subjectType: UpvoteSubjectType, subjectIds: readonly number[]): Promise<Set<string>> {
    const rows = await this.db.read((manager) =>
      manager
        .getRepository(Upvote)
        .createQueryBuilder('u')
        .select('u.member_id', 'memberId')
        .addSelect('u.subject_id', 'subjectId')
        .where('u.member_id IN (:...memberIds) AND u.subject_type = :subjectType AND u.subject_id IN (:...subjectIds)', {
          memberIds: [...memberIds],
          subjectType,
          subjectIds: [...subjectIds],
        })
        .getRawMany<{ memberId: number; subjectId: number }>(),
    );
    return new Set(rows.map((row) => `${Number(row.memberId)}:${Number(row.subjectId)}`));
  }

  /** Which of these subjects the member upvoted. */
  async upvotedBy(memberId: number, subjectType: UpvoteSubjectType, subjectIds: readonly number[]): Promise<Set<number>> {
    // Plain SQL (src/db/plain-rows.ts): every thread page asks this twice (the post's flag, its comments' flags).
    const rows = await this.db.read((manager) =>
      plainRows(
        manager,
        'SELECT u.subject_id AS subject_id FROM upvotes u WHERE u.member_id = :memberId AND u.subject_type = :subjectType AND u.subject_id IN (:...subjectIds)',
        { memberId, subjectType, subjectIds: [...subjectIds] },
      ),
    );
    return new Set(rows.map((row) => Number(row.subject_id)));
  }
}
