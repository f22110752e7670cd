import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ObjectType } from 'type-graphql';
import { timestampColumn } from '../../db/columns';
import { toGlobalId } from '../../graphql/global-id';
import { Node } from '../../graphql/node';
import { ModerationReason } from '../moderation/moderation.enums';
import { ReportStatus } from './report.enums';

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
/** The resolved queues (ACTIONED, DISMISSED), most recently resolved first. */
@Index('idx_reports_status_resolved', ['status', 'resolvedAt', 'id'])
@ObjectType('Report', {
  implements: Node,
  description:
    "A member's report of a thread, poll, comment or member. Visible to moderators and to the member who made it: node(id) is null " +
    'for everyone else, the reported author included, who never learns who reported.',
})
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
  @Field(() => ModerationReason, { description: "The reporter's reason." })
  @Column({ type: 'varchar', length: 32 })
  reason: string;

  @Field(() => String, { nullable: true, description: "The reporter's note (up to 1,000 characters); null when none." })
  @Column({ type: 'text', nullable: true })
  note: string | null;

  /** ReportStatus: OPEN, ACTIONED, DISMISSED. */
  @Field(() => ReportStatus, { description: 'OPEN until a moderator resolves it.' })
  @Column({ type: 'varchar', length: 16, default: 'OPEN' })
  status: string;

  @Field(() => Date, { description: 'When it was made.' })
  @Column(timestampColumn('created_at'))
  createdAt: Date;

  @Field(() => Date, { nullable: true, description: 'When a moderator resolved it; null while OPEN.' })
  @Column(timestampColumn('resolved_at', { nullable: true }))
  resolvedAt: Date | null;

  @Column({ name: 'resolved_by', type: 'integer', nullable: true })
  resolvedBy: number | null;

  get globalId(): string {
    return toGlobalId('Report', this.id);
  }

  get typeName(): string {
    return 'Report';
  }
}
