import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { counterColumn, timestampColumn } from '../../db/columns';
import { toGlobalId } from '../../graphql/global-id';

export type PostKind = 'THREAD' | 'POLL';
export type ResultsVisibility = 'ALWAYS' | 'ON_VOTE' | 'ON_CLOSE';

/**
 * Threads and polls share one table (with a kind column) so that lists,
 * orders, filters and pagination over both are one SQL query. Poll-only
 * columns are null/default for threads. Exposed in GraphQL as the Thread and
 * Poll types (post.types.ts, poll.types.ts), chosen by `kind`.
 */
@Entity('posts')
@Index('idx_posts_created', ['createdAt', 'id'])
@Index('idx_posts_poll_closing', ['kind', 'isClosed', 'closesAt'])
/** Member.posts: an author's posts, newest (highest id) first. */
@Index('idx_posts_author_id', ['authorId', 'id'])
export class Post {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column({ type: 'varchar', length: 16 })
  kind: PostKind;

  @Column({ type: 'varchar', length: 1200 })
  title: string;

  /** Thread body; null for polls. */
  @Column({ type: 'text', nullable: true })
  body: string | null;

  /** Poll description; null for threads and polls without one. */
  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ name: 'author_id', type: 'integer' })
  authorId: number;

  @Column(timestampColumn('created_at'))
  createdAt: Date;

  /** When the title, body, description or options last changed (editThread, editPoll); null if never. */
  @Column(timestampColumn('edited_at', { nullable: true }))
  editedAt: Date | null;

  /**
   * Set by deletePost. Soft: the row, its comments, votes and revisions stay (counters stay exact,
   * nothing dangles), but every read leaves a deleted post out, as if it did not exist.
   */
  @Column(timestampColumn('deleted_at', { nullable: true }))
  deletedAt: Date | null;

  // ---- moderation (moderation.graphql) ----

  /** ModerationState: VISIBLE, HIDDEN (text withheld from all but author and moderators) or REMOVED (gone for them). */
  @Column({ name: 'moderation_state', type: 'varchar', length: 16, default: 'VISIBLE' })
  moderationState: string;

  /** ModerationReason given when it was hidden or removed; null while VISIBLE. */
  @Column({ name: 'moderation_reason', type: 'varchar', length: 32, nullable: true })
  moderationReason: string | null;

  /** When a moderator pinned it (Query.pinnedPosts); null while not pinned. */
  @Index('idx_posts_pinned')
  @Column(timestampColumn('pinned_at', { nullable: true }))
  pinnedAt: Date | null;

  /** When a moderator locked it (no new comments, replies or votes); null while not locked. */
  @Column(timestampColumn('locked_at', { nullable: true }))
  lockedAt: Date | null;

  /** ModerationReason of the lock; null while not locked. */
  @Column({ name: 'lock_reason', type: 'varchar', length: 32, nullable: true })
  lockReason: string | null;

  @Column(counterColumn('view_count'))
  viewCount: number;

  @Column(counterColumn('upvote_count'))
  upvoteCount: number;

  /** Comments and replies that are not deleted. */
  @Column(counterColumn('comment_count'))
  commentCount: number;

  /**
   * The last sequence number given to a comment or reply of this post.
   * Incremented under the post's row lock in the comment's transaction, so
   * comment sequence numbers follow commit order on every database.
   */
  @Column(counterColumn('comment_seq'))
  commentSeq: number;

  /**
   * Lower-cased title, body or description and option labels, for `search`.
   * Lower-cased in JavaScript (full Unicode) so matching is case-insensitive
   * the same way on every database.
   */
  @Column({ name: 'search_text', type: 'text', default: '' })
  searchText: string;

  // ---- poll-only columns ----

  @Column({ name: 'allows_multiple_choices', type: 'boolean', default: false })
  allowsMultipleChoices: boolean;

  @Column(timestampColumn('closes_at', { nullable: true }))
  closesAt: Date | null;

  /** Set by closePoll or by the scheduler once closesAt has passed. */
  @Column({ name: 'is_closed', type: 'boolean', default: false })
  isClosed: boolean;

  @Column({ name: 'results_visibility', type: 'varchar', length: 16, default: 'ALWAYS' })
  resultsVisibility: ResultsVisibility;

  /** Members with a vote in the poll. */
  @Column(counterColumn('participant_count'))
  participantCount: number;

  /** Sum of the options' vote counts. */
  @Column(counterColumn('total_votes'))
  totalVotes: number;

  /** PollResults.version: +1 in the same transaction as every change it shows. */
  @Column(counterColumn('results_version'))
  resultsVersion: number;

  @Column(timestampColumn('results_updated_at'))
  resultsUpdatedAt: Date;

  /**
   * PollResults.version as a viewer who may not see the tallies gets it: resultsVersion as of the
   * latest change of participantCount, isClosed or the options, so that a vote switch moves nothing
   * they see (api/insights.graphql, PollResults.hiddenUntil).
   */
  @Column(counterColumn('hidden_results_version'))
  hiddenResultsVersion: number;

  /** PollResultsBreakdown.version: 1 at creation, +1 with every change of participantCount, at close, and when the options are replaced. */
  @Column({ name: 'breakdown_version', type: 'integer', default: 1 })
  breakdownVersion: number;

  /** When hiddenResultsVersion and breakdownVersion last moved (their updatedAt); null only before the first write since breakdowns came. */
  @Column(timestampColumn('participation_changed_at', { nullable: true }))
  participationChangedAt: Date | null;

  get globalId(): string {
    return toGlobalId(this.kind === 'POLL' ? 'Poll' : 'Thread', this.id);
  }

  get typeName(): string {
    return this.kind === 'POLL' ? 'Poll' : 'Thread';
  }

  /** Closed by a write, or past closesAt and about to be closed by the scheduler: reads treat both as closed. */
  isClosedAt(now: Date): boolean {
    return this.isClosed || (this.closesAt !== null && this.closesAt.getTime() <= now.getTime());
  }
}
