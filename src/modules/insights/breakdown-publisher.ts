/**
 * Publishing breakdowns while a poll is open, inside the transaction of the vote that changed it
 * (api/insights.graphql, PollResultsBreakdown rules 2 and 3). Only a member joining a poll can
 * bring a bucket to k new participants (a switch or a retraction adds nobody new), so castVote
 * calls afterJoin for the first vote of a member and nothing else does.
 *
 * Cost per joining vote: one statement grouping the poll's participants for both dimensions (with
 * the shown groups and the members counted by the last publications joined in). Only when a
 * bucket is due, a few more (about one vote in k): the votes grouped, the bucket rows, and the
 * counted members of the published buckets, written incrementally (about k rows, not the whole
 * bucket). Nothing depends on who is watching.
 */
import type { EntityManager } from 'typeorm';
import { BREAKDOWN_DIMENSIONS, BreakdownDimension, OTHER_BUCKET, PollBreakdownBucket, PollBreakdownMember } from './breakdown.entity';
import { duePublications, GroupTally } from './breakdown-rules';

/** The participant column a dimension groups by (poll_participants keeps them as they were at the vote). */
export const GROUP_COLUMN: Record<BreakdownDimension, string> = { INDUSTRY: 'industry_group', COMPANY_SIZE: 'company_size' };

/** Runs `sql` with TypeORM's named parameters (:name, :...list) on either dialect, in the manager's transaction. */
async function run<T>(manager: EntityManager, sql: string, parameters: Record<string, unknown>): Promise<T[]> {
  const [query, bound] = manager.connection.driver.escapeQueryWithParameters(sql, parameters, {});
  return manager.query(query, bound);
}

export class BreakdownPublisher {
  constructor(private readonly minGroupSize: number) {}

  /** After a member's first vote in an open poll: publishes, per dimension, every bucket that now has k new participants. */
  async afterJoin(manager: EntityManager, pollId: number): Promise<void> {
    const tallies = await this.tallies(manager, pollId);
    const plans: Publication[] = [];
    for (const dimension of BREAKDOWN_DIMENSIONS) {
      const groups = tallies[dimension];
      const due = duePublications(dimension, groups, this.minGroupSize);
      if (due.republished.length === 0 && !due.other) continue;
      const shownBefore = groups.filter((group) => group.shown && group.key !== null).map((group) => group.key as string);
      plans.push({
        dimension,
        tallies: groups,
        groups: [...due.republished, ...due.promoted],
        other: due.other,
        shownAfter: [...shownBefore, ...due.promoted],
      });
    }
    if (plans.length > 0) await this.publish(manager, pollId, plans);
  }

  /** The options were replaced (no votes exist then): published figures of options that are gone are forgotten. */
  async reset(manager: EntityManager, pollId: number): Promise<void> {
    await manager.getRepository(PollBreakdownBucket).delete({ pollId });
    await manager.getRepository(PollBreakdownMember).delete({ pollId });
  }

  /**
   * Every group's participants now and how many are new to their current bucket, for both
   * dimensions in one statement (a grouped SELECT per dimension, joined by UNION ALL).
   */
  private async tallies(manager: EntityManager, pollId: number): Promise<Record<BreakdownDimension, GroupTally[]>> {
    const grouped = (dimension: BreakdownDimension) => {
      const column = GROUP_COLUMN[dimension];
      return `SELECT '${dimension}' AS dim, pp.${column} AS grp, CASE WHEN b.bucket IS NULL THEN 0 ELSE 1 END AS shown, c.bucket AS counted, COUNT(*) AS n
       FROM poll_participants pp
       LEFT JOIN poll_breakdown_buckets b ON b.poll_id = pp.poll_id AND b.dimension = '${dimension}' AND b.bucket = pp.${column}
       LEFT JOIN poll_breakdown_members c ON c.poll_id = pp.poll_id AND c.dimension = '${dimension}' AND c.member_id = pp.member_id
       WHERE pp.poll_id = :pollId
       GROUP BY pp.${column}, CASE WHEN b.bucket IS NULL THEN 0 ELSE 1 END, c.bucket`;
    };
    const rows = await run<{ dim: BreakdownDimension; grp: string | null; shown: number | string; counted: string | null; n: number | string }>(
      manager,
      BREAKDOWN_DIMENSIONS.map(grouped).join('\n UNION ALL\n'),
      { pollId },
    );
    const groups: Record<BreakdownDimension, Map<string | null, GroupTally>> = { INDUSTRY: new Map(), COMPANY_SIZE: new Map() };
    for (const row of rows) {
      const shown = Number(row.shown) === 1;
      const byGroup = groups[row.dim];
      const group = byGroup.get(row.grp) ?? { key: row.grp, participants: 0, fresh: 0, shown };
      const n = Number(row.n);
      group.participants += n;
      // New to its bucket: not counted by the last publication of the bucket the member is in now.
      if (row.counted !== (shown ? row.grp : OTHER_BUCKET)) group.fresh += n;
      byGroup.set(row.grp, group);
    }
    return { INDUSTRY: [...groups.INDUSTRY.values()], COMPANY_SIZE: [...groups.COMPANY_SIZE.values()] };
  }

  /**
   * Copies the live votes of the published buckets into their rows, and records whom they counted:
   * for both dimensions at once, one statement for the votes, two for the bucket rows, and one
   * DELETE plus one INSERT per dimension for the counted members.
   */
  private async publish(manager: EntityManager, pollId: number, plans: Publication[]): Promise<void> {
    const figures = plans.map((plan) => ({ plan, buckets: new Map<string, { participants: number; votes: Record<string, number> }>() }));
    for (const { plan, buckets } of figures) {
      for (const bucket of plan.other ? [...plan.groups, OTHER_BUCKET] : plan.groups) buckets.set(bucket, { participants: 0, votes: {} });
      // Participants per bucket: the tallies have them (the same transaction, nothing moved since).
      for (const group of plan.tallies) {
        const target = buckets.get(bucketOf(plan, group.key));
        if (target) target.participants += group.participants;
      }
    }
    const votes = await run<{ industry: string | null; size: string | null; opt: number | string; n: number | string }>(
      manager,
      `SELECT pp.industry_group AS industry, pp.company_size AS size, v.option_id AS opt, COUNT(*) AS n
       FROM poll_votes v JOIN poll_participants pp ON pp.poll_id = v.poll_id AND pp.member_id = v.member_id
       WHERE v.poll_id = :pollId GROUP BY pp.industry_group, pp.company_size, v.option_id`,
      { pollId },
    );
    for (const row of votes) {
      for (const { plan, buckets } of figures) {
        const target = buckets.get(bucketOf(plan, plan.dimension === 'INDUSTRY' ? row.industry : row.size));
        if (target) target.votes[String(row.opt)] = (target.votes[String(row.opt)] ?? 0) + Number(row.n);
      }
    }

    // The bucket rows (and below, the counted members) of the published buckets, for every dimension
    // published. Dimensions are written as literals (one of two constants): PostgreSQL cannot type one
    // parameter both as an inserted value and as a compared column.
    const parameters: Record<string, unknown> = { pollId };
    const ofPublished = figures.map(({ plan, buckets }) => {
      parameters[`${plan.dimension}_buckets`] = [...buckets.keys()];
      return `(dimension = '${plan.dimension}' AND bucket IN (:...${plan.dimension}_buckets))`;
    });
    await run(manager, `DELETE FROM poll_breakdown_buckets WHERE poll_id = :pollId AND (${ofPublished.join(' OR ')})`, parameters);
    await manager.getRepository(PollBreakdownBucket).insert(
      figures.flatMap(({ plan, buckets }) =>
        [...buckets].map(([bucket, figure]) => ({
          pollId,
          dimension: plan.dimension,
          bucket,
          participantCount: figure.participants,
          optionVotes: JSON.stringify(figure.votes),
        })),
      ),
    );

    // Whom each published bucket counted: its participants now. Written incrementally, so that a
    // publication writes about k rows, not the whole bucket: the rows of members who no longer have a
    // vote are dropped, and those of members not yet counted in their bucket are written (a member's
    // one row says their latest bucket).
    await run(
      manager,
      `DELETE FROM poll_breakdown_members WHERE poll_id = :pollId AND (${ofPublished.join(' OR ')})
       AND NOT EXISTS (SELECT 1 FROM poll_participants pp WHERE pp.poll_id = poll_breakdown_members.poll_id AND pp.member_id = poll_breakdown_members.member_id)`,
      parameters,
    );
    for (const { plan } of figures) {
      const column = GROUP_COLUMN[plan.dimension];
      const inShown = plan.shownAfter.length > 0 ? `pp.${column} IN (:...shownAfter)` : '1 = 0';
      const bucketSql = plan.shownAfter.length > 0 ? `CASE WHEN ${inShown} THEN pp.${column} ELSE '' END` : `''`;
      const conditions = [
        plan.groups.length > 0 ? `pp.${column} IN (:...groups)` : null,
        plan.other ? `(pp.${column} IS NULL OR NOT (${inShown}))` : null,
      ].filter((condition): condition is string => condition !== null);
      await run(
        manager,
        `INSERT INTO poll_breakdown_members (poll_id, dimension, member_id, bucket)
         SELECT pp.poll_id, '${plan.dimension}', pp.member_id, ${bucketSql} FROM poll_participants pp
         WHERE pp.poll_id = :pollId AND (${conditions.join(' OR ')})
         AND NOT EXISTS (SELECT 1 FROM poll_breakdown_members c WHERE c.poll_id = pp.poll_id AND c.dimension = '${plan.dimension}' AND c.member_id = pp.member_id AND c.bucket = ${bucketSql})
         ON CONFLICT (poll_id, dimension, member_id) DO UPDATE SET bucket = excluded.bucket`,
        { pollId, groups: plan.groups, shownAfter: plan.shownAfter },
      );
    }
  }
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

/** The bucket a group's members are in once the publication is made. */
function bucketOf(plan: Publication, key: string | null): string {
  return key !== null && plan.shownAfter.includes(key) ? key : OTHER_BUCKET;
}
