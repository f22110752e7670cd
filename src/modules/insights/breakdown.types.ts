/**
 * PollResultsBreakdown and PollResultsGroup (api/insights.graphql): a poll's results by one part of
 * the voters' bylines, as one viewer may see them. Like PollResults, what the viewer may not see is
 * never put into the object, so no field can leak it.
 */
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { NodeTypeName, toGlobalId } from '../../graphql/global-id';
import { Node } from '../../graphql/node';
import { CompanySize } from '../member/company-size';
import { PollOptionResult } from '../poll/poll-results';
import type { BreakdownDimension } from './breakdown.entity';

export enum BylineDimension {
  INDUSTRY = 'INDUSTRY',
  COMPANY_SIZE = 'COMPANY_SIZE',
}

registerEnumType(BylineDimension, {
  name: 'BylineDimension',
  description: "Which part of the voters' bylines a breakdown groups them by.",
  valuesConfig: {
    INDUSTRY: { description: 'Member.industry, as written ("Software", "Healthcare and Biotech").' },
    COMPANY_SIZE: { description: 'Member.companySize, labelled as bylines write it ("201 - 500 employees", "Self-employed").' },
  },
});

/** The node type of a dimension's breakdowns: the dimension is part of the global ID. */
export const BREAKDOWN_NODE_TYPE: Record<BreakdownDimension, NodeTypeName> = {
  INDUSTRY: 'PollIndustryBreakdown',
  COMPANY_SIZE: 'PollCompanySizeBreakdown',
};

@ObjectType('PollResultsGroup', { description: 'One bucket of a breakdown: a shown group, or `other`.' })
export class PollResultsGroup {
  @Field(() => String, {
    description: '"Software", "201 - 500 employees", "Self-employed" (as bylines write it); "Other" for the `other` bucket.',
  })
  label: string;

  @Field(() => Boolean, { description: 'True for the `other` bucket.' })
  isOther: boolean;

  @Field(() => String, { nullable: true, description: 'The industry of an INDUSTRY group; null for COMPANY_SIZE groups and for `other`.' })
  industry: string | null;

  @Field(() => CompanySize, { nullable: true, description: 'The band of a COMPANY_SIZE group; null for INDUSTRY groups and for `other`.' })
  companySize: CompanySize | null;

  @Field(() => Int, { description: "Members counted in the bucket's published figures (at least minGroupSize)." })
  participantCount: number;

  @Field(() => Int, { description: 'Sum of voteCount over the options (more than participantCount when several choices are allowed).' })
  totalVotes: number;

  @Field(() => [PollOptionResult], {
    description:
      "One entry per option, in option order, in the shape of PollResults.options: voteCount is the bucket members' votes for " +
      "the option and is never null here; percentage is the whole-number share of the bucket's totalVotes by the same " +
      'largest-remainder rule as PollOptionResult.percentage, so the options of each bucket add up to exactly 100.',
  })
  options: PollOptionResult[];
}

@ObjectType('PollResultsBreakdown', {
  implements: Node,
  description:
    "A poll's results broken down by one part of the voters' bylines, as one viewer may see them, with small groups " +
    "suppressed so that nobody's vote can be learnt from it: not from one snapshot, not by subtracting the shown groups " +
    "from the poll's totals, and not by comparing snapshots over time. Poll.resultsBreakdown returns it and " +
    'Subscription.pollBreakdownUpdated pushes it, in the same shape. k is minGroupSize (INSIGHTS_MIN_GROUP_SIZE). ' +
    "A participant's group is their industry or company size band as it was when they cast their vote; members with no " +
    'industry, or "Other" in any letter case, are in no INDUSTRY group. A bucket (a shown group, or `other`) shows the ' +
    'figures of its last publication. While the poll is open, in the transaction of each vote: a shown group with k or ' +
    'more new participants (not counted in its last publication) is published again; when `other` has k or more new ' +
    'participants, the groups not shown with k or more participants become shown (except the smallest of them when ' +
    '`other` would keep 1 to k-1) and they and `other` are published; nothing else publishes anything (a vote switch, a ' +
    'retraction or fewer than k new participants change no figure). When the poll closes, everything is published from ' +
    'the final votes: groups of k or more, the rest in `other`, the smallest group folded into `other` when it would ' +
    'hold 1 to k-1, and nothing at all with fewer than k participants. Visibility is exactly Poll.resultsVisibility, as ' +
    'for Poll.results. The README\'s "Insights" section has a worked example.',
})
export class PollResultsBreakdown {
  readonly pollDbId: number;
  readonly dimensionValue: BreakdownDimension;

  @Field(() => ID, { description: "The poll's global ID." })
  pollId: string;

  @Field(() => BylineDimension, { description: 'What the groups are: industries or company size bands.' })
  dimension: BylineDimension;

  @Field(() => Int, { description: 'k: the smallest group shown (INSIGHTS_MIN_GROUP_SIZE, default 5, never below 3).' })
  minGroupSize: number;

  @Field(() => Int, { description: 'Members who have a vote in the poll now, as PollResults.participantCount. Always shown.' })
  participantCount: number;

  @Field(() => Int, {
    nullable: true,
    description:
      'Participants counted in the published figures: the sum of participantCount over groups and `other`. Below ' +
      'participantCount while some votes await publication; equal to it once the poll is closed (0 when it closed with ' +
      'fewer than k participants). Null when hidden.',
  })
  publishedParticipantCount: number | null;

  @Field(() => [PollResultsGroup], {
    description:
      'The shown groups, most participants first, then by label (Unicode code point order). Empty when hidden. Never a ' +
      'group of fewer than k participants.',
  })
  groups: PollResultsGroup[];

  @Field(() => PollResultsGroup, {
    nullable: true,
    description:
      'Participants in no shown group, as one bucket labelled "Other" (isOther true). Null when hidden or when it counts ' +
      'nobody; otherwise at least k participants.',
  })
  other: PollResultsGroup | null;

  @Field(() => Boolean, { description: 'Whether the poll takes no more votes (then the figures are final and exact, still k-suppressed).' })
  isClosed: boolean;

  @Field(() => Boolean, { description: "True when the viewer may not see the poll's tallies (then groups is empty and other is null)." })
  isHidden: boolean;

  @Field(() => Int, {
    description:
      '1 when the poll is created; increased by one, in the same transaction, each time a member starts or stops having a ' +
      'vote in the poll (participantCount changes), when the options are replaced, and when the poll closes. A vote switch ' +
      'does not move it. The same for both dimensions and for every viewer, hidden or not. Every change of published ' +
      'figures comes with a higher version. A client ignores a message whose version is lower than one it has.',
  })
  version: number;

  @Field(() => Date, { description: 'When version last changed.' })
  updatedAt: Date;

  constructor(pollDbId: number, dimension: BreakdownDimension) {
    this.pollDbId = pollDbId;
    this.dimensionValue = dimension;
  }

  get globalId(): string {
    return toGlobalId(BREAKDOWN_NODE_TYPE[this.dimensionValue], this.pollDbId);
  }

  get typeName(): string {
    return 'PollResultsBreakdown';
  }
}
