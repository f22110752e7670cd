/** Poll.resultsBreakdown (api/insights.graphql): the breakdown as the request's viewer may see it. */
import { Arg, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { changesByItselfAt } from '../context';
import type { RequestContext } from '../context';
import { maySeeTallies } from '../poll/poll-results';
import { Poll } from '../poll/poll.types';
import type { Post } from '../post/post.entity';
import type { BreakdownDimension } from './breakdown.entity';
import { BylineDimension, PollResultsBreakdown } from './breakdown.types';
import { buildBreakdown } from './breakdown-view';

/**
 * The breakdown of a poll for the request's viewer; null when the poll is gone. Visibility is
 * decided exactly as for Poll.results (the viewer's vote read through the same loader).
 */
export async function breakdownForViewer(
  pollId: number,
  dimension: BreakdownDimension,
  context: RequestContext,
  minGroupSize: number,
): Promise<PollResultsBreakdown | null> {
  const now = new Date();
  const [state, choices] = await Promise.all([context.loaders.breakdownStateById.load(pollId), context.loaders.viewerChoicesByPollId.load(pollId)]);
  if (!state) return null;
  // A poll read open shows other figures once its closesAt passes: a cached answer must not outlive that.
  changesByItselfAt(context, state.poll.closesAt);
  const visible = maySeeTallies(state.poll, context.viewer?.id ?? null, choices.length > 0, now);
  return buildBreakdown({ poll: state.poll, options: state.options, dimension, source: state.source, visible, now, minGroupSize });
}

@Resolver(() => Poll)
export class BreakdownFieldResolver {
  constructor(private readonly minGroupSize: number) {}

  @FieldResolver(() => PollResultsBreakdown, {
    description:
      'The results broken down by industry or company size, as the viewer may see them; see PollResultsBreakdown for exactly what is published when.',
  })
  async resultsBreakdown(
    @Root() poll: Post,
    @Arg('by', () => BylineDimension, { description: 'Industries or company size bands.' }) by: BylineDimension,
    @Ctx() context: RequestContext,
  ): Promise<PollResultsBreakdown> {
    const breakdown = await breakdownForViewer(poll.id, by, context, this.minGroupSize);
    // The poll was deleted between its own read and this one: nothing is published for a gone poll.
    if (!breakdown) throw new Error(`poll ${poll.id} vanished while its breakdown was read`);
    return breakdown;
  }
}
