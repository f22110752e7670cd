/**
 * PollResults and PollOptionResult: a poll's tallies at one moment, as one
 * viewer may see them. Hidden tallies are never computed into the object,
 * so they cannot leak through any field; nor does their activity: a hidden
 * viewer's version and updatedAt move only with participation and closing.
 */
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { toGlobalId } from '../../graphql/global-id';
import { Node } from '../../graphql/node';
import type { Post } from '../post/post.entity';
import { largestRemainderPercentages } from './percentages';
import type { PollOption } from './poll-option.entity';
import { ResultsVisibilityEnum } from './poll.types';

@ObjectType('PollOptionResult', { description: "One option's tally." })
export class PollOptionResult {
  @Field(() => ID, { description: 'The PollOption this tally is of.' })
  optionId: string;

  @Field(() => String, { description: "The option's label." })
  label: string;

  @Field(() => Int, { nullable: true, description: 'Null when the results are hidden from the viewer.' })
  voteCount: number | null;

  @Field(() => Int, {
    nullable: true,
    description:
      'Whole-number share of totalVotes, by the largest-remainder method so that the options add up to exactly 100 ' +
      'whenever totalVotes > 0 (ties for the leftover points go to more votes, then the lower position); all 0 when ' +
      'nobody voted. Null when the results are hidden from the viewer.',
  })
  percentage: number | null;
}

@ObjectType('PollResults', {
  implements: Node,
  description:
    "A poll's tallies at one moment, as one viewer may see them. The same shape is returned by Poll.results and " +
    'pushed by Subscription.pollResultsUpdated, so a dashboard uses one fragment for both and a normalized client ' +
    'cache updates itself from each message.',
})
export class PollResults {
  /** Database id of the poll. */
  readonly pollDbId: number;

  @Field(() => ID, { description: "The poll's global ID." })
  pollId: string;

  @Field(() => Int, { description: 'Members who have a vote in this poll. Always shown.' })
  participantCount: number;

  @Field(() => Int, {
    nullable: true,
    description: 'Sum of voteCount over all options (equals participantCount for single-choice polls); null when hidden.',
  })
  totalVotes: number | null;

  @Field(() => Boolean, { description: 'Whether the poll takes no more votes.' })
  isClosed: boolean;

  @Field(() => Boolean, {
    description: 'True when the viewer may not see the tallies (see Poll.resultsVisibility): then totalVotes and every ' + 'voteCount and percentage are null.',
  })
  isHidden: boolean;

  @Field(() => [PollOptionResult], { description: 'One entry per option, in option order.' })
  options: PollOptionResult[];

  @Field(() => Int, {
    description:
      'Stored with the poll and increased in the same transaction as any change shown here (votes, retractions, ' +
      'closing, including closing at closesAt). A client ignores a message whose version is lower than one it has. ' +
      'When hidden (isHidden true): the version as of the latest change of participantCount or isClosed, so that a ' +
      'vote switch does not move it (see hiddenUntil).',
  })
  version: number;

  @Field(() => Date, {
    description: 'When the tallies last changed; when hidden, when version last changed (the latest change of participantCount or isClosed).',
  })
  updatedAt: Date;

  @Field(() => ResultsVisibilityEnum, {
    nullable: true,
    description:
      'Null when the viewer may see the tallies. Otherwise what would show them: ON_VOTE (signing in and voting in ' +
      "this poll) or ON_CLOSE (the poll closing); it is the poll's resultsVisibility.\n\n" +
      'Hidden results leak nothing, not even activity. For a viewer who may not see the tallies (isHidden true), in ' +
      'addition to the null tallies:\n' +
      "- version is the poll's version as of its latest change of participantCount or isClosed, and updatedAt the " +
      'time of that change. A vote switch (a participant choosing other options) moves neither. The values still ' +
      "come from the poll's one version counter, so they never go backwards when the viewer's visibility changes: " +
      'voting, retracting and closing each change participantCount or isClosed themselves.\n' +
      '- Subscription.pollResultsUpdated sends a hidden subscriber a message only when participantCount, isClosed or ' +
      'isHidden changes for them, never for a vote switch.\n' +
      'The same holds for node(id) of a PollResults. A viewer who may see the tallies gets version and updatedAt as ' +
      'contract.graphql says (every change).',
  })
  hiddenUntil: ResultsVisibilityEnum | null;

  constructor(pollDbId: number) {
    this.pollDbId = pollDbId;
  }

  get globalId(): string {
    return toGlobalId('PollResults', this.pollDbId);
  }

  get typeName(): string {
    return 'PollResults';
  }
}

/**
 * Whether a viewer may see a poll's tallies now (Poll.resultsVisibility):
 * everyone once closed; ALWAYS: everyone; the author always; ON_VOTE: members
 * who currently have a vote; ON_CLOSE: nobody else until closed.
 */
export function maySeeTallies(poll: Post, viewerId: number | null, viewerHasVote: boolean, now: Date): boolean {
  if (poll.isClosedAt(now) || poll.resultsVisibility === 'ALWAYS') return true;
  if (viewerId !== null && viewerId === poll.authorId) return true;
  return poll.resultsVisibility === 'ON_VOTE' && viewerHasVote;
}

/** Builds the results a viewer may see; `options` in position order. */
export function buildPollResults(poll: Post, options: readonly PollOption[], visible: boolean, now: Date): PollResults {
  const results = new PollResults(poll.id);
  const ordered = [...options].sort((a, b) => a.position - b.position);
  const percentages = largestRemainderPercentages(ordered.map((option) => option.voteCount));
  results.pollId = toGlobalId('Poll', poll.id);
  results.participantCount = poll.participantCount;
  results.totalVotes = visible ? poll.totalVotes : null;
  results.isClosed = poll.isClosedAt(now);
  results.isHidden = !visible;
  results.hiddenUntil = visible ? null : (poll.resultsVisibility as ResultsVisibilityEnum);
  // Hidden: the version and time of the latest change of participation or closing (poll-columns.ts moves them),
  // so a vote switch, which changes only the tallies, shows a hidden viewer nothing, not even that it happened.
  // Both come from the one results_version counter, so a viewer whose visibility flips never sees it go back.
  // participationChangedAt is null on rows written without it (before the column came): resultsUpdatedAt then.
  results.version = visible ? poll.resultsVersion : poll.hiddenResultsVersion;
  results.updatedAt = visible ? poll.resultsUpdatedAt : (poll.participationChangedAt ?? poll.resultsUpdatedAt);
  results.options = ordered.map((option, index) => {
    const entry = new PollOptionResult();
    entry.optionId = option.globalId;
    entry.label = option.label;
    entry.voteCount = visible ? option.voteCount : null;
    entry.percentage = visible ? percentages[index] : null;
    return entry;
  });
  return results;
}
