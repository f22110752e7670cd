/**
 * The poll columns of the posts table (totals, results version, closed flag):
 * the post module owns the table, so the poll module moves them only through
 * PostService, which delegates here, inside the poll module's transaction.
 */
import type { EntityManager } from 'typeorm';
import { affectedRows } from '../../db/dialect';
import { Post } from './post.entity';

export interface PollResultsChange {
  votesDelta: number;
  participantsDelta: number;
  now: Date;
  /** The options were replaced (editPoll): what a viewer who may not see the tallies sees changed too. */
  optionsReplaced?: boolean;
}

/**
 * What moves when participation changes (participantCount, isClosed, the options): the version a
 * viewer who may not see the tallies gets (the new results_version: SET reads the row as it was)
 * and the breakdowns' version, with their time.
 */
function participationMoved(at: Date | (() => string)) {
  return {
    hiddenResultsVersion: () => 'results_version + 1',
    breakdownVersion: () => 'breakdown_version + 1',
    participationChangedAt: at,
  };
}

function movesParticipation(change: PollResultsChange): boolean {
  return change.participantsDelta !== 0 || change.optionsReplaced === true;
}

/**
 * Moves a poll's totals and raises its results version in one UPDATE; a vote switch (participants
 * unchanged) leaves the hidden viewers' and the breakdowns' versions where they were.
 */
export async function moveResults(manager: EntityManager, pollId: number, change: PollResultsChange): Promise<void> {
  const participation = movesParticipation(change);
  await manager
    .createQueryBuilder()
    .update(Post)
    .set({
      totalVotes: () => `total_votes + ${Math.trunc(change.votesDelta)}`,
      participantCount: () => `participant_count + ${Math.trunc(change.participantsDelta)}`,
      resultsVersion: () => 'results_version + 1',
      resultsUpdatedAt: change.now,
      ...(participation ? participationMoved(change.now) : {}),
    })
    .where('id = :pollId', { pollId })
    .execute();
}

/**
 * The poll as moveResults leaves it, from `poll` as the same transaction read it under the poll's
 * row lock (PostgreSQL) or on the one writer (SQLite): nobody else can change the row in between,
 * so the columns moveResults sets are these, and the UPDATE needs no read after it (one statement
 * fewer while the vote holds the lock or the writer). Keep it in step with moveResults above.
 */
export function movedPoll(poll: Post, change: PollResultsChange): Post {
  const moved = Object.assign(new Post(), poll);
  moved.totalVotes = poll.totalVotes + Math.trunc(change.votesDelta);
  moved.participantCount = poll.participantCount + Math.trunc(change.participantsDelta);
  moved.resultsVersion = poll.resultsVersion + 1;
  moved.resultsUpdatedAt = change.now;
  if (movesParticipation(change)) {
    // SET reads the row as it was: the hidden version becomes the old results_version + 1, as above.
    moved.hiddenResultsVersion = poll.resultsVersion + 1;
    moved.breakdownVersion = poll.breakdownVersion + 1;
    moved.participationChangedAt = change.now;
  }
  return moved;
}

/**
 * Closes an open poll (closed flag, every version + 1); false when it was closed already. Closed by
 * time (`byTime`), the breakdowns' updatedAt is the poll's closesAt: reads showed the close from
 * that moment on (breakdown-view.ts), whenever the scheduler's write lands.
 */
export async function markClosed(manager: EntityManager, pollId: number, now: Date, byTime = false): Promise<boolean> {
  const result = await manager
    .createQueryBuilder()
    .update(Post)
    .set({ isClosed: true, resultsVersion: () => 'results_version + 1', resultsUpdatedAt: now, ...participationMoved(byTime ? () => 'closes_at' : now) })
    .where('id = :pollId AND is_closed = :open', { pollId, open: false })
    .execute();
  return affectedRows(result) === 1;
}

/** Ids of open, undeleted polls whose closesAt has passed, oldest first (at most `limit`). */
export async function duePollIds(manager: EntityManager, now: Date, limit: number): Promise<number[]> {
  const due = await manager
    .getRepository(Post)
    .createQueryBuilder('p')
    .select(['p.id'])
    // A deleted poll stays as it was: nobody sees it close.
    .where('p.kind = :kind AND p.is_closed = :open AND p.closes_at <= :now AND p.deleted_at IS NULL', { kind: 'POLL', open: false, now: now.getTime() })
    // A total order (id breaks ties) makes instances lock due polls in the same order: no deadlock between them.
    .orderBy('p.closes_at', 'ASC')
    .addOrderBy('p.id', 'ASC')
    .limit(limit)
    .getMany();
  return due.map((poll) => poll.id);
}
