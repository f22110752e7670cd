/**
 * Poll options, consistent tallies and the viewer's choices, batched per
 * request. A vote changes all three for its poll: afterVote forgets them, so
 * the payload of castVote and retractVote reads the new state.
 */
import DataLoader from 'dataloader';
import { byId } from '../../graphql/loaders';
import type { Post } from '../post/post.entity';
import type { PollOption } from './poll-option.entity';
import type { BreakdownState, PollReadService } from './poll-reads.service';

/** Answers that are the same whoever asks (the live API shares them between subscribers). */
export interface PollLoaders {
  pollOptionById: DataLoader<number, PollOption | null>;
  optionsByPollId: DataLoader<number, PollOption[]>;
  /** A poll row and its options from one read: consistent tallies for Poll.results. */
  pollStateById: DataLoader<number, { poll: Post; options: PollOption[] } | null>;
  /** A poll row, its options and its breakdowns' source from one read (Poll.resultsBreakdown, node of a breakdown). */
  breakdownStateById: DataLoader<number, BreakdownState | null>;
}

/** Answers that depend on who asks, and what a vote of theirs invalidates. */
export interface PollViewerLoaders {
  /** Option ids the viewer chose, per poll (empty for anonymous viewers). */
  viewerChoicesByPollId: DataLoader<number, number[]>;
  /** The viewer voted in or retracted from this poll: forget its options, tallies and the viewer's choices. */
  afterVote(pollId: number): void;
}

type PollReads = Pick<PollReadService, 'findOptionsByIds' | 'optionsOfPolls' | 'resultsState' | 'choicesOf' | 'breakdownStates'>;

export function createPollLoaders(reads: PollReads): PollLoaders {
  return {
    pollOptionById: byId((ids) => reads.findOptionsByIds(ids)),
    optionsByPollId: new DataLoader(async (pollIds) => {
      const options = await reads.optionsOfPolls(pollIds);
      return pollIds.map((id) => options.get(id) ?? []);
    }),
    pollStateById: new DataLoader(async (pollIds) => {
      const states = await reads.resultsState(pollIds);
      return pollIds.map((id) => states.get(id) ?? null);
    }),
    breakdownStateById: new DataLoader(async (pollIds) => {
      const states = await reads.breakdownStates(pollIds, new Date());
      return pollIds.map((id) => states.get(id) ?? null);
    }),
  };
}

/** `shared`: the poll loaders the viewer's ones sit beside (afterVote clears them too). */
export function createPollViewerLoaders(reads: PollReads, viewerId: number | null, shared: PollLoaders): PollViewerLoaders {
  const viewerChoicesByPollId = new DataLoader<number, number[]>(async (pollIds) => {
    if (viewerId === null) return pollIds.map(() => []);
    const choices = await reads.choicesOf(viewerId, pollIds);
    return pollIds.map((id) => choices.get(id) ?? []);
  });
  return {
    viewerChoicesByPollId,
    afterVote(pollId) {
      viewerChoicesByPollId.clear(pollId);
      shared.optionsByPollId.clear(pollId);
      shared.pollStateById.clear(pollId);
      shared.breakdownStateById.clear(pollId);
    },
  };
}
