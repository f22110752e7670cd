import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root, UseMiddleware } from 'type-graphql';
import { atArgument, idOf, signedIn } from '../../graphql/api-edge';
import { toGlobalId } from '../../graphql/global-id';
import { changesByItselfAt } from '../context';
import type { RequestContext } from '../context';
import type { Post } from '../post/post.entity';
import { buildPollResults, maySeeTallies, PollResults } from './poll-results';
import { PollOption } from './poll-option.entity';
import {
  CastVoteInput,
  CastVotePayload,
  ClosePollInput,
  ClosePollPayload,
  CreatePollInput,
  CreatePollPayload,
  EditPollInput,
  EditPollPayload,
  RetractVoteInput,
  RetractVotePayload,
} from './poll.inputs';
import { Poll } from './poll.types';
import { PollService } from './poll.service';
import { CountsAsWrite } from '../write-limit';
import { removalRuleOf } from '../moderation/reach';

/** The fields of Poll that are not columns (own class: the type grows with later fields). */
@Resolver(() => Poll)
export class PollFieldResolver {
  @FieldResolver(() => [PollOption], { description: 'In display order.' })
  options(@Root() poll: Post, @Ctx() context: RequestContext): Promise<PollOption[]> {
    return context.loaders.optionsByPollId.load(poll.id);
  }

  @FieldResolver(() => Boolean, { description: 'True once closed by its author or at closesAt.' })
  isClosed(@Root() poll: Post, @Ctx() context: RequestContext): boolean {
    changesByItselfAt(context, poll.closesAt);
    return poll.isClosedAt(new Date());
  }

  @FieldResolver(() => PollResults, { description: 'The tallies as the viewer may see them.' })
  async results(@Root() poll: Post, @Ctx() context: RequestContext): Promise<PollResults> {
    return resultsForViewer(poll, context);
  }

  @FieldResolver(() => [ID], { description: 'IDs of the options the viewer chose; empty when the viewer has not voted or is anonymous.' })
  async viewerChoices(@Root() poll: Post, @Ctx() context: RequestContext): Promise<string[]> {
    const choices = await context.loaders.viewerChoicesByPollId.load(poll.id);
    const options = await context.loaders.optionsByPollId.load(poll.id);
    const position = new Map(options.map((option) => [option.id, option.position]));
    return [...choices].sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0)).map((id) => toGlobalId('PollOption', id));
  }
}

/** Writes of polls. */
@Resolver(() => Poll)
export class PollResolver {
  constructor(private readonly polls: PollService) {}

  @Mutation(() => CreatePollPayload, { nullable: true, description: 'Opens a poll.' })
  @UseMiddleware(CountsAsWrite)
  async createPoll(
    @Arg('input', () => CreatePollInput, { description: 'The poll.' }) input: CreatePollInput,
    @Ctx() context: RequestContext,
  ): Promise<CreatePollPayload> {
    const viewer = signedIn(context.viewer);
    return { poll: await atArgument('input', () => this.polls.create(viewer, input)) };
  }

  @Mutation(() => EditPollPayload, {
    nullable: true,
    description:
      "Edits a poll: author only, with the same rules as editThread (a thread's id is NOT_FOUND). The title, description " +
      'and topics may change at any time, also once the poll has votes or is closed; the options only while it is open and ' +
      'has no votes (POLL_CLOSED, then POLL_HAS_VOTES). A change of the title, description or options is a new revision. ' +
      'allowsMultipleChoices, closesAt and resultsVisibility cannot be changed.',
  })
  @UseMiddleware(CountsAsWrite)
  async editPoll(
    @Arg('input', () => EditPollInput, { description: 'The poll and the fields to change.' }) input: EditPollInput,
    @Ctx() context: RequestContext,
  ): Promise<EditPollPayload> {
    const viewer = signedIn(context.viewer);
    const poll = await atArgument('input', () => this.polls.editPoll(viewer, { ...input, pollId: idOf(input.pollId, 'pollId', ['Poll'], 'Poll').id }));
    // New options mean new option rows and a new results version: the payload reads them again.
    context.loaders.afterVote(poll.id);
    context.loaders.afterEdit();
    return { poll };
  }

  @Mutation(() => CastVotePayload, { nullable: true, description: "Votes, replacing the viewer's earlier vote. POLL_CLOSED once the poll is closed." })
  @UseMiddleware(CountsAsWrite)
  async castVote(
    @Arg('input', () => CastVoteInput, { description: 'The vote.' }) input: CastVoteInput,
    @Ctx() context: RequestContext,
  ): Promise<CastVotePayload> {
    const viewer = signedIn(context.viewer);
    const poll = await atArgument('input', async () => {
      const pollId = idOf(input.pollId, 'pollId', ['Poll'], 'Poll').id;
      const optionIds = input.optionIds.map((id, index) => idOf(id, `optionIds[${index}]`, ['PollOption'], 'Poll option').id);
      // A poll removed for the viewer is gone, as a deleted one: decided on the row the vote locks.
      return this.polls.castVote(viewer, { pollId, optionIds }, await removalRuleOf(context));
    });
    context.loaders.afterVote(poll.id);
    return { poll };
  }

  @Mutation(() => RetractVotePayload, {
    nullable: true,
    description: "Idempotent: without a vote of the viewer's, the poll comes back unchanged (same version).",
  })
  @UseMiddleware(CountsAsWrite)
  async retractVote(
    @Arg('input', () => RetractVoteInput, { description: 'The poll.' }) input: RetractVoteInput,
    @Ctx() context: RequestContext,
  ): Promise<RetractVotePayload> {
    const viewer = signedIn(context.viewer);
    const poll = await atArgument('input', async () => {
      const pollId = idOf(input.pollId, 'pollId', ['Poll'], 'Poll').id;
      return this.polls.retractVote(viewer, pollId, await removalRuleOf(context));
    });
    context.loaders.afterVote(poll.id);
    return { poll };
  }

  @Mutation(() => ClosePollPayload, { nullable: true, description: 'Author only.' })
  @UseMiddleware(CountsAsWrite)
  async closePoll(
    @Arg('input', () => ClosePollInput, { description: 'The poll.' }) input: ClosePollInput,
    @Ctx() context: RequestContext,
  ): Promise<ClosePollPayload> {
    const viewer = signedIn(context.viewer);
    return { poll: await atArgument('input', () => this.polls.close(viewer, idOf(input.pollId, 'pollId', ['Poll'], 'Poll').id)) };
  }
}

/** Poll.results for the request's viewer; also what node(PollResults id) returns. */
export async function resultsForViewer(poll: Post, context: RequestContext): Promise<PollResults> {
  const now = new Date();
  const [state, choices] = await Promise.all([context.loaders.pollStateById.load(poll.id), context.loaders.viewerChoicesByPollId.load(poll.id)]);
  // Totals, version and option counts from one read, so they always agree.
  const current = state?.poll ?? poll;
  changesByItselfAt(context, current.closesAt);
  const visible = maySeeTallies(current, context.viewer?.id ?? null, choices.length > 0, now);
  return buildPollResults(current, state?.options ?? [], visible, now);
}
