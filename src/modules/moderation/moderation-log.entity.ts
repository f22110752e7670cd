import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { timestampColumn } from '../../db/columns';

/** What a log entry is about: a post (thread or poll), a comment, a member or a report. */
export type ModerationSubjectType = 'POST' | 'COMMENT' | 'MEMBER' | 'REPORT';

/**
 * The moderation log: one row per moderation change that took effect, written in the same
 * transaction as the change (ModerationLogService.record). Append-only: no code updates or
 * deletes these rows.
 */
@Entity('moderation_log')
@Index('idx_moderation_log_subject', ['subjectType', 'subjectId', 'id'])
export class ModerationLogEntry {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  /** ModerationLogAction: HIDE, UNHIDE, REMOVE, RESTORE, LOCK, UNLOCK, PIN, UNPIN, SUSPEND, UNSUSPEND, SET_ROLE, RESOLVE_REPORT. */
  @Column({ type: 'varchar', length: 32 })
  action: string;

  @Column({ name: 'subject_type', type: 'varchar', length: 16 })
  subjectType: ModerationSubjectType;

  @Column({ name: 'subject_id', type: 'integer' })
  subjectId: number;

  /** Null for a role set from the command line. */
  @Column({ name: 'moderator_id', type: 'integer', nullable: true })
  moderatorId: number | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  reason: string | null;

  @Column({ type: 'text', nullable: true })
  note: string | null;

  /** SET_ROLE: the new role. */
  @Column({ type: 'varchar', length: 16, nullable: true })
  role: string | null;

  /** SUSPEND: when the suspension ends; null when indefinite. */
  @Column(timestampColumn('suspended_until', { nullable: true }))
  suspendedUntil: Date | null;

  /** RESOLVE_REPORT: ACTIONED or DISMISSED. */
  @Column({ type: 'varchar', length: 16, nullable: true })
  resolution: string | null;

  @Column(timestampColumn('created_at'))
  createdAt: Date;
}
