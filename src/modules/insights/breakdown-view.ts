/**
 * A breakdown as one viewer may see it, built from its source (breakdown-state.ts): published
 * buckets while the poll is open, the closing rules applied to the final votes once it is closed.
 * A viewer who may not see the tallies gets no figure at all (nothing is put into the object).
 */
import { toGlobalId } from '../../graphql/global-id';
import { CompanySize } from '../member/company-size';
import { largestRemainderPercentages } from '../poll/percentages';
import type { PollOption } from '../poll/poll-option.entity';
import { PollOptionResult } from '../poll/poll-results';
import type { Post } from '../post/post.entity';
import { BreakdownDimension, OTHER_BUCKET } from './breakdown.entity';
import { byDisplayOrder, closedBuckets, groupLabel } from './breakdown-rules';
import type { BreakdownSource } from './breakdown-state';
import { BylineDimension, PollResultsBreakdown, PollResultsGroup } from './breakdown.types';

/** One bucket's figures: a group (key) or `other` (key null). */
export interface BucketFigures {
  key: string | null;
  participants: number;
  votes: ReadonlyMap<number, number>;
}

/** The buckets a breakdown shows, for everyone who may see the tallies (groups in display order). */
export function figuresOf(
  source: BreakdownSource,
  dimension: BreakdownDimension,
  minGroupSize: number,
): { groups: BucketFigures[]; other: BucketFigures | null } {
  if (source.kind === 'published') {
    const buckets = source.buckets
      .filter((bucket) => bucket.dimension === dimension)
      .map((bucket) => ({
        key: bucket.bucket === OTHER_BUCKET ? null : bucket.bucket,
        participants: bucket.participantCount,
        votes: new Map(Object.entries(JSON.parse(bucket.optionVotes) as Record<string, number>).map(([id, n]) => [Number(id), n])),
      }));
    const groups = buckets
      .filter((bucket) => bucket.key !== null)
      .map((bucket) => ({ ...bucket, label: groupLabel(dimension, bucket.key as string) }))
      .sort(byDisplayOrder);
    const other = buckets.find((bucket) => bucket.key === null && bucket.participants > 0) ?? null;
    return { groups, other };
  }
  const participants = source.tallies.participants[dimension];
  const votes = source.tallies.votes[dimension];
  const { shown, other } = closedBuckets(dimension, participants, minGroupSize);
  const groups = shown.map((key) => ({ key, participants: participants.get(key) ?? 0, votes: votes.get(key) ?? new Map<number, number>() }));
  const folded = { key: null, participants: 0, votes: new Map<number, number>() };
  for (const key of other) {
    folded.participants += participants.get(key) ?? 0;
    for (const [option, n] of votes.get(key) ?? []) folded.votes.set(option, (folded.votes.get(option) ?? 0) + n);
  }
  return { groups, other: folded.participants > 0 ? folded : null };
}

function groupOf(dimension: BreakdownDimension, figures: BucketFigures, options: readonly PollOption[]): PollResultsGroup {
  const group = new PollResultsGroup();
  const isOther = figures.key === null;
  group.label = isOther ? 'Other' : groupLabel(dimension, figures.key as string);
  group.isOther = isOther;
  group.industry = !isOther && dimension === 'INDUSTRY' ? figures.key : null;
  group.companySize = !isOther && dimension === 'COMPANY_SIZE' ? (figures.key as CompanySize) : null;
  group.participantCount = figures.participants;
  const counts = options.map((option) => figures.votes.get(option.id) ?? 0);
  const percentages = largestRemainderPercentages(counts);
  group.totalVotes = counts.reduce((sum, n) => sum + n, 0);
  group.options = options.map((option, index) => {
    const entry = new PollOptionResult();
    entry.optionId = option.globalId;
    entry.label = option.label;
    entry.voteCount = counts[index];
    entry.percentage = percentages[index];
    return entry;
  });
  return group;
}

/** The breakdown's version and time: a poll past closesAt that the scheduler has not marked yet already counts its close. */
export function breakdownVersionOf(poll: Post, now: Date): { version: number; updatedAt: Date } {
  const closingUnwritten = !poll.isClosed && poll.isClosedAt(now);
  return {
    version: poll.breakdownVersion + (closingUnwritten ? 1 : 0),
    updatedAt: closingUnwritten && poll.closesAt ? poll.closesAt : (poll.participationChangedAt ?? poll.resultsUpdatedAt),
  };
}

export interface BreakdownInput {
  poll: Post;
  /** The poll's options, any order. */
  options: readonly PollOption[];
  dimension: BreakdownDimension;
  source: BreakdownSource;
  /** Whether the viewer may see the poll's tallies (maySeeTallies, as for Poll.results). */
  visible: boolean;
  now: Date;
  minGroupSize: number;
}

export function buildBreakdown(input: BreakdownInput): PollResultsBreakdown {
  const { poll, dimension, visible, now, minGroupSize } = input;
  const options = [...input.options].sort((a, b) => a.position - b.position);
  const breakdown = new PollResultsBreakdown(poll.id, dimension);
  breakdown.pollId = toGlobalId('Poll', poll.id);
  breakdown.dimension = dimension as BylineDimension;
  breakdown.minGroupSize = minGroupSize;
  breakdown.participantCount = poll.participantCount;
  breakdown.isClosed = poll.isClosedAt(now);
  breakdown.isHidden = !visible;
  Object.assign(breakdown, breakdownVersionOf(poll, now));
  if (!visible) {
    breakdown.publishedParticipantCount = null;
    breakdown.groups = [];
    breakdown.other = null;
    return breakdown;
  }
  const figures = figuresOf(input.source, dimension, minGroupSize);
  breakdown.groups = figures.groups.map((group) => groupOf(dimension, group, options));
  breakdown.other = figures.other ? groupOf(dimension, figures.other, options) : null;
  breakdown.publishedParticipantCount = [...figures.groups, ...(figures.other ? [figures.other] : [])].reduce((sum, bucket) => sum + bucket.participants, 0);
  return breakdown;
}
