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

  /**
   * The member's groups for breakdowns, as they were when this vote was cast (a later profile
   * change does not move a vote): the industry as written, null for none, a blank one or "Other"
   * in any letter case (no INDUSTRY group); the company size band (null only on rows older than
   * breakdowns, whose member was gone).
   */
  @Column({ name: 'industry_group', type: 'varchar', length: 400, nullable: true })
  industryGroup: string | null;

  @Column({ name: 'company_size', type: 'varchar', length: 32, nullable: true })
  companySize: string | null;
}

/** A member's INDUSTRY group: null for no industry, a blank one, or "Other" in any letter case. */
export function industryGroupOf(industry: string | null | undefined): string | null {
  if (industry === null || industry === undefined || industry.trim() === '' || industry.trim().toLowerCase() === 'other') return null;
  return industry;
}
