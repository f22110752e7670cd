import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ObjectType } from 'type-graphql';
import { timestampColumn } from '../../db/columns';
import { toGlobalId } from '../../graphql/global-id';
import { Node } from '../../graphql/node';
import { MemberRole, ModerationLogAction, ModerationReason, ReportStatus } from './moderation.enums';

/** What a log entry is about: a post (thread or poll), a comment, a member or a report. */
export type ModerationSubjectType = 'POST' | 'COMMENT' | 'MEMBER' | 'REPORT';

/**
 * The moderation log: one row per moderation change that took effect, written in the same
 * transaction as the change (ModerationLogService.record). Append-only: no code updates or
 * deletes these rows.
 */
@Entity('moderation_log')
@Index('idx_moderation_log_subject', ['subjectType', 'subjectId', 'id'])
@ObjectType('ModerationLogEntry', {
  implements: Node,
  description: 'One entry of the moderation log: who did what to what, when and why. Moderators only (node(id) is null for everyone else).',
})
export class ModerationLogEntry {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  /** ModerationLogAction: HIDE, UNHIDE, REMOVE, RESTORE, LOCK, UNLOCK, PIN, UNPIN, SUSPEND, UNSUSPEND, SET_ROLE, RESOLVE_REPORT. */
  @Field(() => ModerationLogAction, { description: 'What was done.' })
  @Column({ type: 'varchar', length: 32 })
  action: string;

  @Column({ name: 'subject_type', type: 'varchar', length: 16 })
  subjectType: ModerationSubjectType;

  @Column({ name: 'subject_id', type: 'integer' })
  subjectId: number;

  /** Null for a role set from the command line. */
  @Column({ name: 'moderator_id', type: 'integer', nullable: true })
  moderatorId: number | null;

  @Field(() => ModerationReason, {
    nullable: true,
    description: 'The reason given (HIDE, REMOVE, LOCK, SUSPEND, and UNHIDE or RESTORE when one was given); null otherwise.',
  })
  @Column({ type: 'varchar', length: 32, nullable: true })
  reason: string | null;

  @Field(() => String, { nullable: true, description: "The moderator's note; null when none." })
  @Column({ type: 'text', nullable: true })
  note: string | null;

  /** SET_ROLE: the new role. */
  @Field(() => MemberRole, { nullable: true, description: 'SET_ROLE: the new role; null for other actions.' })
  @Column({ type: 'varchar', length: 16, nullable: true })
  role: string | null;

  /** SUSPEND: when the suspension ends; null when indefinite. */
  @Field(() => Date, { nullable: true, description: 'SUSPEND: when the suspension ends, null when indefinite or for other actions.' })
  @Column(timestampColumn('suspended_until', { nullable: true }))
  suspendedUntil: Date | null;

  /** RESOLVE_REPORT: ACTIONED or DISMISSED. */
  @Field(() => ReportStatus, { nullable: true, description: 'RESOLVE_REPORT: ACTIONED or DISMISSED; null for other actions.' })
  @Column({ type: 'varchar', length: 16, nullable: true })
  resolution: string | null;

  @Field(() => Date, { description: 'When it was done.' })
  @Column(timestampColumn('created_at'))
  createdAt: Date;

  get globalId(): string {
    return toGlobalId('ModerationLogEntry', this.id);
  }

  get typeName(): string {
    return 'ModerationLogEntry';
  }
}
