import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ObjectType } from 'type-graphql';
import { counterColumn, timestampColumn } from '../../db/columns';
import { toGlobalId } from '../../graphql/global-id';
import { Node, Upvotable } from '../../graphql/node';
import { Editable } from '../revision/revision.types';
import { Reportable } from '../report/report.types';
import { Moderatable } from '../moderation/moderation.types';

/**
 * A comment on a post, or a reply to a top-level comment (one level deep).
 * Deleting is soft: the row stays so replies keep their place; the API then
 * shows an empty body and no author.
 */
@Entity('comments')
@Index('uq_comments_post_seq', ['postId', 'seq'], { unique: true })
@Index('idx_comments_parent_seq', ['parentId', 'seq'])
@Index('idx_comments_post_upvotes', ['postId', 'upvoteCount'])
/** Member.comments: an author's comments, newest (highest id) first. */
@Index('idx_comments_author_id', ['authorId', 'id'])
@ObjectType('Comment', { implements: [Node, Upvotable, Editable, Reportable, Moderatable], description: 'A comment on a post, or a reply to one.' })
export class Comment {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column({ name: 'post_id', type: 'integer' })
  postId: number;

  /** The top-level comment this one replies to; null for a top-level comment. */
  @Column({ name: 'parent_id', type: 'integer', nullable: true })
  parentId: number | null;

  @Column({ name: 'author_id', type: 'integer' })
  authorId: number;

  /** Kept after a soft delete for moderation; never shown once deleted. */
  @Column({ type: 'text' })
  body: string;

  /**
   * This comment's number in its post's sequence (1, 2, ...), assigned under
   * the post's row lock: the order of commits. OLDEST order, reply order and
   * their cursors use it, and the live API resumes from it.
   */
  @Column({ type: 'integer' })
  seq: number;

  @Field(() => Date, { description: 'When the comment was posted.' })
  @Column(timestampColumn('created_at'))
  createdAt: Date;

  @Field(() => Date, { nullable: true, description: 'When the author last edited the comment; null if never.' })
  @Column(timestampColumn('edited_at', { nullable: true }))
  editedAt: Date | null;

  @Column(timestampColumn('deleted_at', { nullable: true }))
  deletedAt: Date | null;

  /** ModerationState: VISIBLE, HIDDEN or REMOVED (moderation.graphql). */
  @Column({ name: 'moderation_state', type: 'varchar', length: 16, default: 'VISIBLE' })
  moderationState: string;

  /** ModerationReason given when it was hidden or removed; null while VISIBLE. */
  @Column({ name: 'moderation_reason', type: 'varchar', length: 32, nullable: true })
  moderationReason: string | null;

  @Column(counterColumn('upvote_count'))
  upvoteCount: number;

  /** Replies that are not deleted (top-level comments only). */
  @Column(counterColumn('reply_count'))
  replyCount: number;

  @Field(() => Boolean, {
    description: 'A deleted comment stays in lists as a placeholder while it has replies, and disappears from them when it has none.',
  })
  get isDeleted(): boolean {
    return this.deletedAt !== null;
  }

  get globalId(): string {
    return toGlobalId('Comment', this.id);
  }

  get typeName(): string {
    return 'Comment';
  }
}
