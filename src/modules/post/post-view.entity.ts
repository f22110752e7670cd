import { Column, Entity, PrimaryColumn } from 'typeorm';
import { timestampColumn } from '../../db/columns';

/**
 * The last counted view of a post by a signed-in member: a repeat view
 * within 30 minutes of it does not count. Anonymous views are not stored.
 */
@Entity('post_views')
export class PostView {
  @PrimaryColumn({ name: 'post_id', type: 'integer' })
  postId: number;

  @PrimaryColumn({ name: 'member_id', type: 'integer' })
  memberId: number;

  @Column(timestampColumn('counted_at'))
  countedAt: Date;
}
