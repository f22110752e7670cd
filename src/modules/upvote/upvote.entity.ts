import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { timestampColumn } from '../../db/columns';

export type UpvoteSubjectType = 'POST' | 'COMMENT';

/** One member's upvote of a post or comment; the primary key makes it once per member. */
@Entity('upvotes')
@Index('idx_upvotes_subject', ['subjectType', 'subjectId'])
export class Upvote {
  @PrimaryColumn({ name: 'member_id', type: 'integer' })
  memberId: number;

  @PrimaryColumn({ name: 'subject_type', type: 'varchar', length: 16 })
  subjectType: UpvoteSubjectType;

  @PrimaryColumn({ name: 'subject_id', type: 'integer' })
  subjectId: number;

  @Column(timestampColumn('created_at'))
  createdAt: Date;
}
