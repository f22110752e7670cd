/**
 * The published state of poll breakdowns (api/insights.graphql, PollResultsBreakdown): what each
 * bucket showed at its last publication, and which members that publication counted. Written only
 * in the transaction of a vote that joins a poll (breakdown-publisher.ts); read by every breakdown
 * of an open poll. A closed poll's breakdown is computed from its final votes instead.
 */
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** What a breakdown groups by, as stored ('INDUSTRY' | 'COMPANY_SIZE'). */
export type BreakdownDimension = 'INDUSTRY' | 'COMPANY_SIZE';
export const BREAKDOWN_DIMENSIONS: readonly BreakdownDimension[] = ['INDUSTRY', 'COMPANY_SIZE'];

/** The stored key of the `other` bucket: no group key is empty (a blank industry is in no group). */
export const OTHER_BUCKET = '';

/** One bucket's published figures: a shown group (bucket = its key), or `other` (bucket ''). */
@Entity('poll_breakdown_buckets')
export class PollBreakdownBucket {
  @PrimaryColumn({ name: 'poll_id', type: 'integer' })
  pollId: number;

  @PrimaryColumn({ type: 'varchar', length: 16 })
  dimension: BreakdownDimension;

  /** The industry as written, a CompanySize value, or '' for `other`. */
  @PrimaryColumn({ type: 'varchar', length: 400 })
  bucket: string;

  @Column({ name: 'participant_count', type: 'integer' })
  participantCount: number;

  /** Votes per option id at the publication, as JSON ({"12": 3, ...}; an option nobody chose is absent). */
  @Column({ name: 'option_votes', type: 'text' })
  optionVotes: string;

  /**
   * Participants in the bucket now whom its last publication did not count: kept with each join and
   * withdrawal, so that a vote knows whether its bucket is due without counting the poll's
   * participants. `other`'s row exists from its first member on, unpublished (participantCount 0)
   * until its first publication.
   */
  @Column({ name: 'new_count', type: 'integer', default: 0 })
  newCount: number;
}

/** A member counted by the last publication of a bucket (one row per bucket that counted them). */
@Entity('poll_breakdown_members')
export class PollBreakdownMember {
  @PrimaryColumn({ name: 'poll_id', type: 'integer' })
  pollId: number;

  @PrimaryColumn({ type: 'varchar', length: 16 })
  dimension: BreakdownDimension;

  @PrimaryColumn({ type: 'varchar', length: 400 })
  bucket: string;

  @PrimaryColumn({ name: 'member_id', type: 'integer' })
  memberId: number;
}
