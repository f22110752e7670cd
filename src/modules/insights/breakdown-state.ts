/**
 * What a breakdown is built from, read inside the caller's snapshot (with the poll row and its
 * options, so that versions and figures are one moment's):
 * - an open poll: its published bucket rows (one statement for both dimensions);
 * - a closed poll (closed by its author, or closesAt passed: reads treat it as closed at once):
 *   its final votes grouped by both groups and option, and its participants grouped by both
 *   groups (two statements), to which breakdown-view.ts applies the closing rules.
 * Constant in the number of viewers and subscribers; nothing is kept in memory between reads.
 */
import { EntityManager, In } from 'typeorm';
import type { Post } from '../post/post.entity';
import { BreakdownDimension, PollBreakdownBucket } from './breakdown.entity';

/** Counts keyed by a group key (null: in no group). */
export type ByGroup<T> = Map<string | null, T>;

export interface FinalTallies {
  participants: Record<BreakdownDimension, ByGroup<number>>;
  /** Votes per group and option id. */
  votes: Record<BreakdownDimension, ByGroup<Map<number, number>>>;
}

export type BreakdownSource = { kind: 'published'; buckets: PollBreakdownBucket[] } | { kind: 'final'; tallies: FinalTallies };

function emptyFinal(): FinalTallies {
  return { participants: { INDUSTRY: new Map(), COMPANY_SIZE: new Map() }, votes: { INDUSTRY: new Map(), COMPANY_SIZE: new Map() } };
}

/** Each poll's breakdown source, as `now` sees it (a poll past closesAt is final). */
export async function readBreakdownSources(manager: EntityManager, polls: readonly Post[], now: Date): Promise<Map<number, BreakdownSource>> {
  const sources = new Map<number, BreakdownSource>();
  const open = polls.filter((poll) => !poll.isClosedAt(now)).map((poll) => poll.id);
  const closed = polls.filter((poll) => poll.isClosedAt(now)).map((poll) => poll.id);
  if (open.length > 0) {
    for (const id of open) sources.set(id, { kind: 'published', buckets: [] });
    const buckets = await manager.getRepository(PollBreakdownBucket).find({ where: { pollId: In(open) } });
    for (const bucket of buckets) (sources.get(bucket.pollId) as { buckets: PollBreakdownBucket[] }).buckets.push(bucket);
  }
  if (closed.length > 0) {
    const finals = new Map(closed.map((id) => [id, emptyFinal()]));
    const key = (value: unknown) => (value === null || value === undefined ? null : String(value));
    const participants: Array<{ poll: number | string; industry: string | null; size: string | null; n: number | string }> = await manager
      .createQueryBuilder()
      .select('pp.poll_id', 'poll')
      .addSelect('pp.industry_group', 'industry')
      .addSelect('pp.company_size', 'size')
      .addSelect('COUNT(*)', 'n')
      .from('poll_participants', 'pp')
      .where('pp.poll_id IN (:...closed)', { closed })
      .groupBy('pp.poll_id')
      .addGroupBy('pp.industry_group')
      .addGroupBy('pp.company_size')
      .getRawMany();
    for (const row of participants) {
      const final = finals.get(Number(row.poll))!;
      const n = Number(row.n);
      for (const [dimension, group] of [
        ['INDUSTRY', key(row.industry)],
        ['COMPANY_SIZE', key(row.size)],
      ] as const) {
        final.participants[dimension].set(group, (final.participants[dimension].get(group) ?? 0) + n);
      }
    }
    const votes: Array<{ poll: number | string; industry: string | null; size: string | null; opt: number | string; n: number | string }> = await manager
      .createQueryBuilder()
      .select('v.poll_id', 'poll')
      .addSelect('pp.industry_group', 'industry')
      .addSelect('pp.company_size', 'size')
      .addSelect('v.option_id', 'opt')
      .addSelect('COUNT(*)', 'n')
      .from('poll_votes', 'v')
      .innerJoin('poll_participants', 'pp', 'pp.poll_id = v.poll_id AND pp.member_id = v.member_id')
      .where('v.poll_id IN (:...closed)', { closed })
      .groupBy('v.poll_id')
      .addGroupBy('pp.industry_group')
      .addGroupBy('pp.company_size')
      .addGroupBy('v.option_id')
      .getRawMany();
    for (const row of votes) {
      const final = finals.get(Number(row.poll))!;
      const n = Number(row.n);
      const option = Number(row.opt);
      for (const [dimension, group] of [
        ['INDUSTRY', key(row.industry)],
        ['COMPANY_SIZE', key(row.size)],
      ] as const) {
        const perOption = final.votes[dimension].get(group) ?? new Map<number, number>();
        perOption.set(option, (perOption.get(option) ?? 0) + n);
        final.votes[dimension].set(group, perOption);
      }
    }
    for (const [id, tallies] of finals) sources.set(id, { kind: 'final', tallies });
  }
  return sources;
}
