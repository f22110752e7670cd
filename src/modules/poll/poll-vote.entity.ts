import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { timestampColumn } from '../../db/columns';

/**
 * One chosen option of a member's vote. The primary key makes choosing the
 * same option twice impossible, whatever the concurrency.
 */
@Entity('poll_votes')
@Index('idx_poll_votes_option', ['optionId'])
export class PollVote {
  @PrimaryColumn({ name: 'poll_id', type: 'integer' })
  pollId: number;

  @PrimaryColumn({ name: 'member_id', type: 'integer' })
  memberId: number;

  @PrimaryColumn({ name: 'option_id', type: 'integer' })
  optionId: number;

  @Column(timestampColumn('created_at'))
  createdAt: Date;
}

/**
 * A member who currently has a vote in a poll: one row per (poll, member),
 * which is what makes participantCount exact ("one member, one vote").
 */
@Entity('poll_participants')
export class PollParticipant {
  @PrimaryColumn({ name: 'poll_id', type: 'integer' })
  pollId: number;

  @PrimaryColumn({ name: 'member_id', type: 'integer' })
  memberId: number;

  @Column(timestampColumn('voted_at'))
  votedAt: Date;
}
