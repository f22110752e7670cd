import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { timestampColumn } from '../../db/columns';

/** What a report is about: a post (thread or poll), a comment or a member. */
export type ReportSubjectType = 'POST' | 'COMMENT' | 'MEMBER';

/**
 * A member's report of a post, comment or member. One OPEN report per reporter and subject (the
 * partial unique index): reporting again while it is open returns it, also under concurrency.
 */
@Entity('reports')
@Index('uq_reports_open_per_reporter', ['reporterId', 'subjectType', 'subjectId'], { unique: true, where: `"status" = 'OPEN'` })
@Index('idx_reports_subject_status', ['subjectType', 'subjectId', 'status'])
@Index('idx_reports_status_created', ['status', 'createdAt', 'id'])
export class Report {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column({ name: 'reporter_id', type: 'integer' })
  reporterId: number;

  @Column({ name: 'subject_type', type: 'varchar', length: 16 })
  subjectType: ReportSubjectType;

  @Column({ name: 'subject_id', type: 'integer' })
  subjectId: number;

  /** ModerationReason. */
  @Column({ type: 'varchar', length: 32 })
  reason: string;

  @Column({ type: 'text', nullable: true })
  note: string | null;

  /** ReportStatus: OPEN, ACTIONED, DISMISSED. */
  @Column({ type: 'varchar', length: 16, default: 'OPEN' })
  status: string;

  @Column(timestampColumn('created_at'))
  createdAt: Date;

  @Column(timestampColumn('resolved_at', { nullable: true }))
  resolvedAt: Date | null;

  @Column({ name: 'resolved_by', type: 'integer', nullable: true })
  resolvedBy: number | null;
}
