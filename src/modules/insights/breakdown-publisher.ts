/**
 * Publishing breakdowns while a poll is open, inside the transaction of the vote that changed it
 * (api/insights.graphql, PollResultsBreakdown rules 2 and 3). Only a member joining a poll can
 * bring a bucket to k new participants (a switch or a retraction adds nobody new), and only the
 * bucket they join: each bucket row keeps its count of new participants, moved by every join and
 * withdrawal (castVote calls afterJoin, retractVote beforeLeave).
 *
 * Cost per joining vote: one statement of primary-key lookups and writes, whatever the number of
 * participants or watchers. About one vote in k brings its bucket to k and publishes: the poll's
 * participants, votes and publication state are read as plain rows, the rules decide in code,
 * and the bucket rows and the members they counted are written (about k rows, not the whole
 * bucket).
 */
import { EntityManager, In } from 'typeorm';
import { PollParticipant } from '../poll/poll-vote.entity';
import { BREAKDOWN_DIMENSIONS, BreakdownDimension, OTHER_BUCKET, PollBreakdownBucket, PollBreakdownMember } from './breakdown.entity';
import { duePublications, GroupTally } from './breakdown-rules';

/** Runs `sql` with TypeORM's named parameters (:name, :...list) on either dialect, in the manager's transaction. */
async function run<T>(manager: EntityManager, sql: string, parameters: Record<string, unknown>): Promise<T[]> {
  const [query, bound] = manager.connection.driver.escapeQueryWithParameters(sql, parameters, {});
  return manager.query(query, bound);
}

/** A member's groups as their participant row keeps them. */
export type MemberGroups = Record<BreakdownDimension, string | null>;

export class BreakdownPublisher {
  constructor(private readonly minGroupSize: number) {}

  /**
   * After a member's first vote in an open poll (their participant row written): counts them as new
   * to their bucket in each dimension, unless the bucket's last publication counted them, and
   * publishes the dimensions where that bucket now has k new participants. One statement per
   * joining vote (countJoin), whatever the number of participants.
   */
  async afterJoin(manager: EntityManager, pollId: number, memberId: number, groups: MemberGroups): Promise<void> {
    const counts = await this.countJoin(manager, pollId, memberId, groups);
    // Only this member's bucket can have reached k: every other is as the last vote left it, below k.
    // A due dimension's counters are then set from the participants themselves (publishDue): the
    // member's bucket is published (its count becomes 0) or counts them among its new ones.
    const due = BREAKDOWN_DIMENSIONS.filter((dimension) => (counts.get(dimension) ?? 0) >= this.minGroupSize);
    if (due.length > 0) await this.publishDue(manager, pollId, due);
  }

  /** Before a member's vote is withdrawn (their participant row still there): they no longer count as new anywhere. */
  async beforeLeave(manager: EntityManager, pollId: number, memberId: number): Promise<void> {
    const participant = await manager.getRepository(PollParticipant).findOne({ where: { pollId, memberId } });
    if (!participant) return;
    const places = await this.placesOf(manager, pollId, memberId, { INDUSTRY: participant.industryGroup, COMPANY_SIZE: participant.companySize });
    await this.moveNewCounts(
      manager,
      pollId,
      BREAKDOWN_DIMENSIONS.filter((dimension) => places[dimension].isNew && places[dimension].newCount > 0).map((dimension) => ({
        dimension,
        bucket: places[dimension].bucket,
        delta: -1,
      })),
    );
  }

  /**
   * Publishes every bucket that has k new participants (rules 2 and 3), from the participants
   * themselves rather than the counters, and sets the counters of `dimensions` to what they count:
   * after a joining vote that brought a bucket to k, and for the demo's polls, whose votes were
   * inserted at once.
   */
  async publishDue(manager: EntityManager, pollId: number, dimensions: readonly BreakdownDimension[] = BREAKDOWN_DIMENSIONS): Promise<void> {
    const state = await readPollState(manager, pollId);
    const plans: Publication[] = [];
    for (const dimension of dimensions) {
      const groups = talliesOf(state, dimension);
      const due = duePublications(dimension, groups, this.minGroupSize);
      const shownBefore = [...state.shown[dimension]];
      plans.push({
        dimension,
        tallies: groups,
        groups: [...due.republished, ...due.promoted],
        other: due.other,
        shownAfter: [...shownBefore, ...due.promoted],
      });
    }
    const publishing = plans.filter((plan) => plan.groups.length > 0 || plan.other);
    if (publishing.length > 0) await this.publish(manager, pollId, state, publishing);
    // What the buckets not published count as new (the published ones count nobody now).
    const counts = plans.flatMap((plan) => {
      const published = publishedBuckets(plan);
      const fresh = new Map<string, number>();
      for (const group of plan.tallies) {
        const bucket = bucketOf(plan, group.key);
        if (!published.has(bucket)) fresh.set(bucket, (fresh.get(bucket) ?? 0) + group.fresh);
      }
      return [...fresh].filter(([, n]) => n > 0).map(([bucket, n]) => ({ dimension: plan.dimension, bucket, count: n }));
    });
    if (counts.length > 0) await this.setNewCounts(manager, pollId, counts);
  }

  /** The options were replaced (no votes exist then): published figures of options that are gone are forgotten. */
  async reset(manager: EntityManager, pollId: number): Promise<void> {
    await manager.getRepository(PollBreakdownBucket).delete({ pollId });
    await manager.getRepository(PollBreakdownMember).delete({ pollId });
  }

  /**
   * Where a member's vote counts in each dimension: their bucket (their group when it is shown, else
   * `other`), how many new participants it has, and whether the member is new to it (not counted by
   * its last publication). One statement of primary-key lookups.
   */
  private async placesOf(manager: EntityManager, pollId: number, memberId: number, groups: MemberGroups): Promise<Record<BreakdownDimension, Place>> {
    const lookups = BREAKDOWN_DIMENSIONS.map((dimension, i) =>
      [
        `(SELECT b.new_count FROM poll_breakdown_buckets b WHERE b.poll_id = :pollId AND b.dimension = '${dimension}' AND b.bucket = :group${i}) AS group${i}`,
        `(SELECT b.new_count FROM poll_breakdown_buckets b WHERE b.poll_id = :pollId AND b.dimension = '${dimension}' AND b.bucket = '') AS other${i}`,
        `(SELECT 1 FROM poll_breakdown_members c WHERE c.poll_id = :pollId AND c.dimension = '${dimension}' AND c.bucket = :group${i} AND c.member_id = :memberId) AS in_group${i}`,
        `(SELECT 1 FROM poll_breakdown_members c WHERE c.poll_id = :pollId AND c.dimension = '${dimension}' AND c.bucket = '' AND c.member_id = :memberId) AS in_other${i}`,
      ].join(', '),
    );
    const parameters: Record<string, unknown> = { pollId, memberId };
    // A member of no group matches no bucket row ('' is `other`, never a group).
    BREAKDOWN_DIMENSIONS.forEach((dimension, i) => (parameters[`group${i}`] = groups[dimension] ?? ''));
    // Aliases in lower case: PostgreSQL folds unquoted ones.
    const [row] = await run<Record<string, number | string | null>>(manager, `SELECT ${lookups.join(', ')}`, parameters);
    const places = {} as Record<BreakdownDimension, Place>;
    BREAKDOWN_DIMENSIONS.forEach((dimension, i) => {
      const key = groups[dimension];
      const shown = key !== null && row[`group${i}`] !== null;
      const bucket = shown ? key : OTHER_BUCKET;
      const counted = shown ? row[`in_group${i}`] : row[`in_other${i}`];
      places[dimension] = { bucket, newCount: Number((shown ? row[`group${i}`] : row[`other${i}`]) ?? 0), isNew: counted === null || counted === undefined };
    });
    return places;
  }

  /**
   * The member's bucket in each dimension (their group when it is shown, i.e. has a row, else
   * `other`) gains one new participant, unless its last publication counted them (then nothing
   * moves); `other`'s row is created, unpublished, on its first member. One statement of primary-key
   * lookups and upserts; returns the buckets' counts after it, by dimension (none where the member
   * was not new). Starts with WITH, not INSERT: TypeORM's SQLite runner would take an INSERT's
   * rows as a change count and drop what RETURNING gives.
   */
  private async countJoin(manager: EntityManager, pollId: number, memberId: number, groups: MemberGroups): Promise<Map<BreakdownDimension, number>> {
    const parameters: Record<string, unknown> = { pollId, memberId };
    const places = BREAKDOWN_DIMENSIONS.map((dimension, i) => {
      // A member of no group matches no group's row ('' is `other`, never a group) and lands in `other`.
      parameters[`group${i}`] = groups[dimension] ?? '';
      // The same value under another name: PostgreSQL types each parameter once (compared, then chosen).
      parameters[`bucket${i}`] = groups[dimension] ?? '';
      return (
        `SELECT '${dimension}', CASE WHEN EXISTS (SELECT 1 FROM poll_breakdown_buckets b WHERE b.poll_id = :pollId AND b.dimension = '${dimension}' ` +
        `AND b.bucket = :group${i}) THEN :bucket${i} ELSE '' END`
      );
    });
    const rows = await run<{ dimension: BreakdownDimension; new_count: number | string }>(
      manager,
      `WITH place (dimension, bucket) AS (${places.join(' UNION ALL ')})
       INSERT INTO poll_breakdown_buckets (poll_id, dimension, bucket, participant_count, option_votes, new_count)
       SELECT CAST(:pollId AS integer), p.dimension, p.bucket, 0, '{}', 1 FROM place p
       WHERE NOT EXISTS (SELECT 1 FROM poll_breakdown_members c WHERE c.poll_id = :pollId AND c.dimension = p.dimension AND c.bucket = p.bucket AND c.member_id = :memberId)
       ON CONFLICT (poll_id, dimension, bucket) DO UPDATE SET new_count = poll_breakdown_buckets.new_count + 1
       RETURNING dimension, new_count`,
      parameters,
    );
    return new Map(rows.map((row) => [row.dimension, Number(row.new_count)]));
  }

  /** Adds `delta` to buckets' counts of new participants (creating `other`'s row, unpublished, on its first member). */
  private async moveNewCounts(
    manager: EntityManager,
    pollId: number,
    moves: Array<{ dimension: BreakdownDimension; bucket: string; delta: number }>,
  ): Promise<void> {
    if (moves.length === 0) return;
    const parameters: Record<string, unknown> = { pollId };
    const values = moves.map((move, i) => {
      parameters[`bucket${i}`] = move.bucket;
      return `(:pollId, '${move.dimension}', :bucket${i}, 0, '{}', ${Math.trunc(move.delta)})`;
    });
    await run(
      manager,
      `INSERT INTO poll_breakdown_buckets (poll_id, dimension, bucket, participant_count, option_votes, new_count) VALUES ${values.join(', ')}
       ON CONFLICT (poll_id, dimension, bucket) DO UPDATE SET new_count = poll_breakdown_buckets.new_count + excluded.new_count`,
      parameters,
    );
  }

  /** Sets buckets' counts of new participants. */
  private async setNewCounts(
    manager: EntityManager,
    pollId: number,
    counts: Array<{ dimension: BreakdownDimension; bucket: string; count: number }>,
  ): Promise<void> {
    const parameters: Record<string, unknown> = { pollId };
    const values = counts.map((entry, i) => {
      parameters[`bucket${i}`] = entry.bucket;
      return `(:pollId, '${entry.dimension}', :bucket${i}, 0, '{}', ${Math.trunc(entry.count)})`;
    });
    await run(
      manager,
      `INSERT INTO poll_breakdown_buckets (poll_id, dimension, bucket, participant_count, option_votes, new_count) VALUES ${values.join(', ')}
       ON CONFLICT (poll_id, dimension, bucket) DO UPDATE SET new_count = excluded.new_count`,
      parameters,
    );
  }

  /**
   * Copies the live votes of the published buckets into their rows, and records whom they counted,
   * for every dimension published at once: two statements for the bucket rows, and for the counted
   * members one DELETE of those who no longer have a vote and one upsert of those not yet counted
   * in their bucket (about k rows, not the whole bucket), each left out when there is nothing to do.
   */
  private async publish(manager: EntityManager, pollId: number, state: PollState, plans: Publication[]): Promise<void> {
    const groupOf = new Map(state.participants.map((participant) => [participant.memberId, participant]));
    const rows: Array<Partial<PollBreakdownBucket>> = [];
    for (const plan of plans) {
      const published = publishedBuckets(plan);
      const figures = new Map([...published].map((bucket) => [bucket, { participants: 0, votes: {} as Record<string, number> }]));
      for (const participant of state.participants) {
        const figure = figures.get(bucketOf(plan, participant.groups[plan.dimension]));
        if (figure) figure.participants += 1;
      }
      for (const vote of state.votes) {
        const participant = groupOf.get(vote.memberId);
        const figure = participant && figures.get(bucketOf(plan, participant.groups[plan.dimension]));
        if (figure) figure.votes[String(vote.optionId)] = (figure.votes[String(vote.optionId)] ?? 0) + 1;
      }
      for (const [bucket, figure] of figures) {
        rows.push({ pollId, dimension: plan.dimension, bucket, participantCount: figure.participants, optionVotes: JSON.stringify(figure.votes), newCount: 0 });
      }
    }
    const parameters: Record<string, unknown> = { pollId };
    const ofPublished = plans.map((plan) => {
      parameters[`${plan.dimension}_buckets`] = [...publishedBuckets(plan)];
      // Dimensions are written as literals: one of two constants.
      return `(dimension = '${plan.dimension}' AND bucket IN (:...${plan.dimension}_buckets))`;
    });
    await run(manager, `DELETE FROM poll_breakdown_buckets WHERE poll_id = :pollId AND (${ofPublished.join(' OR ')})`, parameters);
    // Without TypeORM's reading back of the defaulted columns after the insert (every value is given).
    await manager.createQueryBuilder().insert().into(PollBreakdownBucket).values(rows).updateEntity(false).execute();

    // Whom each published bucket counted: exactly its participants now. A member keeps one row per
    // bucket whose last publication counted them (they may have been counted by several, having
    // retracted and voted again in another group). Written incrementally: rows of those no longer in
    // the bucket are dropped, rows of those not yet counted by it are added (about k rows).
    const leaving: Array<{ dimension: BreakdownDimension; bucket: string; memberId: number }> = [];
    const joining: Array<{ dimension: BreakdownDimension; bucket: string; memberId: number }> = [];
    for (const plan of plans) {
      for (const bucket of publishedBuckets(plan)) {
        const inBucket = new Set(
          state.participants.filter((participant) => bucketOf(plan, participant.groups[plan.dimension]) === bucket).map((participant) => participant.memberId),
        );
        const countedBefore = state.counted[plan.dimension].get(bucket) ?? new Set<number>();
        for (const memberId of countedBefore) if (!inBucket.has(memberId)) leaving.push({ dimension: plan.dimension, bucket, memberId });
        for (const memberId of inBucket) if (!countedBefore.has(memberId)) joining.push({ dimension: plan.dimension, bucket, memberId });
      }
    }
    const leavingBuckets = new Map<string, { dimension: BreakdownDimension; bucket: string; memberIds: number[] }>();
    for (const entry of leaving) {
      const key = `${entry.dimension}:${entry.bucket}`;
      const group = leavingBuckets.get(key) ?? { dimension: entry.dimension, bucket: entry.bucket, memberIds: [] };
      group.memberIds.push(entry.memberId);
      leavingBuckets.set(key, group);
    }
    for (const { dimension, bucket, memberIds } of leavingBuckets.values()) {
      await manager.getRepository(PollBreakdownMember).delete({ pollId, dimension, bucket, memberId: In(memberIds) });
    }
    for (let start = 0; start < joining.length; start += MEMBER_ROWS_PER_STATEMENT) {
      await manager.getRepository(PollBreakdownMember).insert(joining.slice(start, start + MEMBER_ROWS_PER_STATEMENT).map((entry) => ({ pollId, ...entry })));
    }
  }
}

/** Counted members written per statement (four parameters each, well within SQLite's and PostgreSQL's limits). */
const MEMBER_ROWS_PER_STATEMENT = 500;

/** What a publication decides from: the poll's participants with their groups, their votes, the shown groups and whom each counted. */
interface PollState {
  participants: Array<{ memberId: number; groups: MemberGroups }>;
  votes: Array<{ memberId: number; optionId: number }>;
  shown: Record<BreakdownDimension, Set<string>>;
  /** Per bucket, the members its last publication counted. */
  counted: Record<BreakdownDimension, Map<string, Set<number>>>;
}

/**
 * Reads a poll's publication state as plain rows (four simple index scans), so that the decision
 * is code, not a plan: as joins and subqueries over these young tables, PostgreSQL planned nested
 * loops over whole polls, and the statements took milliseconds to plan on every vote.
 */
async function readPollState(manager: EntityManager, pollId: number): Promise<PollState> {
  // Plain rows, not entities: a publication reads every participant, vote and counted member of the
  // poll while the vote holds the writer, and hydrating them as TypeORM entities costs more than
  // reading them.
  const participants = await run<{ member_id: number | string; industry_group: string | null; company_size: string | null }>(
    manager,
    'SELECT member_id, industry_group, company_size FROM poll_participants WHERE poll_id = :pollId',
    { pollId },
  );
  const votes = await run<{ member_id: number | string; option_id: number | string }>(
    manager,
    'SELECT member_id, option_id FROM poll_votes WHERE poll_id = :pollId',
    {
      pollId,
    },
  );
  const buckets = await run<{ dimension: BreakdownDimension; bucket: string }>(
    manager,
    'SELECT dimension, bucket FROM poll_breakdown_buckets WHERE poll_id = :pollId',
    {
      pollId,
    },
  );
  const members = await run<{ dimension: BreakdownDimension; bucket: string; member_id: number | string }>(
    manager,
    'SELECT dimension, bucket, member_id FROM poll_breakdown_members WHERE poll_id = :pollId',
    { pollId },
  );
  const state: PollState = {
    participants: participants.map((row) => ({ memberId: Number(row.member_id), groups: { INDUSTRY: row.industry_group, COMPANY_SIZE: row.company_size } })),
    votes: votes.map((row) => ({ memberId: Number(row.member_id), optionId: Number(row.option_id) })),
    shown: { INDUSTRY: new Set(), COMPANY_SIZE: new Set() },
    counted: { INDUSTRY: new Map(), COMPANY_SIZE: new Map() },
  };
  for (const row of buckets) if (row.bucket !== OTHER_BUCKET) state.shown[row.dimension].add(row.bucket);
  for (const row of members) {
    const counted = state.counted[row.dimension].get(row.bucket) ?? new Set<number>();
    counted.add(Number(row.member_id));
    state.counted[row.dimension].set(row.bucket, counted);
  }
  return state;
}

/** Every group's participants now and how many are new to the bucket they are in. */
function talliesOf(state: PollState, dimension: BreakdownDimension): GroupTally[] {
  const groups = new Map<string | null, GroupTally>();
  for (const participant of state.participants) {
    const key = participant.groups[dimension];
    const shown = key !== null && state.shown[dimension].has(key);
    const group = groups.get(key) ?? { key, participants: 0, fresh: 0, shown };
    group.participants += 1;
    // New to its bucket: not counted by the last publication of the bucket the member is in now.
    if (!state.counted[dimension].get(shown ? key : OTHER_BUCKET)?.has(participant.memberId)) group.fresh += 1;
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** Where a member's vote counts in one dimension. */
interface Place {
  bucket: string;
  /** The bucket's count of new participants, before this change. */
  newCount: number;
  /** Whether the member is new to the bucket (not counted by its last publication). */
  isNew: boolean;
}

/** What one dimension publishes after a vote: its groups (republished and promoted) and whether `other`. */
interface Publication {
  dimension: BreakdownDimension;
  /** The tallies the decision was made on (participants per group). */
  tallies: GroupTally[];
  groups: string[];
  other: boolean;
  /** The shown groups once published. */
  shownAfter: string[];
}

/** The buckets a publication writes. */
function publishedBuckets(plan: Publication): Set<string> {
  return new Set([...plan.groups, ...(plan.other ? [OTHER_BUCKET] : [])]);
}

/** The bucket a group's members are in once the publication is made. */
function bucketOf(plan: Publication, key: string | null): string {
  return key !== null && plan.shownAfter.includes(key) ? key : OTHER_BUCKET;
}
