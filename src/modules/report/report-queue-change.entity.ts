import { Column, Entity, PrimaryColumn } from 'typeorm';
import { timestampColumn } from '../../db/columns';

/**
 * One change of the moderation queue (a report created OPEN, or resolved ACTIONED/DISMISSED),
 * numbered 1, 2, 3, ... in commit order: writers take the next number under one lock
 * (serializeAppends), so moderationQueueUpdated can replay "everything after seq N" exactly once,
 * in order, like commentAdded does with a post's comment sequence.
 */
@Entity('report_queue_changes')
export class ReportQueueChange {
  @PrimaryColumn({ type: 'integer' })
  seq: number;

  @Column({ name: 'report_id', type: 'integer' })
  reportId: number;

  /** The status this change gave the report: OPEN, ACTIONED or DISMISSED. */
  @Column({ type: 'varchar', length: 16 })
  status: string;

  @Column(timestampColumn('created_at'))
  createdAt: Date;
}
