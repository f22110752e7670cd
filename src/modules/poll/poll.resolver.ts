import { Arg, Ctx, Field, FieldResolver, ID, InputType, Mutation, ObjectType, Resolver, Root, UseMiddleware } from 'type-graphql';
import { atArgument, idOf, signedIn } from '../../graphql/api-edge';
import { toGlobalId } from '../../graphql/global-id';
import type { RequestContext } from '../context';
import type { Post } from '../post/post.entity';
import { buildPollResults, maySeeTallies, PollResults } from './poll-results';
import { PollOption } from './poll-option.entity';
import { Poll, ResultsVisibilityEnum } from './poll.types';
import { PollService } from './poll.service';
import { CountsAsWrite } from '../write-limit';

@InputType('CreatePollInput', { description: 'A new poll.' })
class CreatePollInput {
  @Field(() => String, { description: 'The question, 1 to 300 characters.' })
  title: string;

  @Field(() => String, { nullable: true, description: 'Context for the question, up to 5,000 characters of plain text.' })
  description?: string | null;

  @Field(() => [String], { description: '2 to 20 distinct labels, in display order.' })
  options: string[];

  @Field(() => Boolean, { nullable: true, description: 'Default false.' })
  allowsMultipleChoices?: boolean | null;

  @Field(() => Date, { nullable: true, description: 'Must be in the future.' })
  closesAt?: Date | null;

  @Field(() => ResultsVisibilityEnum, { nullable: true, description: 'Default ALWAYS.' })
  resultsVisibility?: ResultsVisibilityEnum | null;

  @Field(() => [String], { nullable: true, description: 'Topic names; unknown topics are created.' })
  topics?: string[] | null;
}

@ObjectType('CreatePollPayload', { description: 'The result of createPoll.' })
class CreatePollPayload {
  @Field(() => Poll, { description: 'The new poll.' })
  poll: Post;
}

@InputType('CastVoteInput', { description: 'A vote.' })
class CastVoteInput {
  @Field(() => ID, { description: 'The poll.' })
  pollId: string;

  @Field(() => [ID], {
    description: "Exactly one option for a single-choice poll; one or more distinct options otherwise. Replaces the viewer's earlier vote.",
  })
  optionIds: string[];
}

@ObjectType('CastVotePayload', { description: 'The result of castVote.' })
class CastVotePayload {
  @Field(() => Poll, { description: 'The poll, with the results the viewer may now see.' })
  poll: Post;
}

@InputType('RetractVoteInput', { description: 'The poll whose vote to withdraw.' })
class RetractVoteInput {
  @Field(() => ID, { description: 'The poll.' })
  pollId: string;
}

@ObjectType('RetractVotePayload', { description: 'The result of retractVote.' })
class RetractVotePayload {
  @Field(() => Poll, { description: 'The poll.' })
  poll: Post;
}

@InputType('ClosePollInput', { description: 'The poll to close.' })
class ClosePollInput {
  @Field(() => ID, { description: 'The poll.' })
  pollId: string;
}

@ObjectType('ClosePollPayload', { description: 'The result of closePoll.' })
class ClosePollPayload {
  @Field(() => Poll, { description: 'The closed poll.' })
  poll: Post;
}

@Resolver(() => Poll)
export class PollResolver {
  constructor(private readonly polls: PollService) {}

  @FieldResolver(() => [PollOption], { description: 'In display order.' })
  options(@Root() poll: Post, @Ctx() context: RequestContext): Promise<PollOption[]> {
    return context.loaders.optionsByPollId.load(poll.id);
  }

  @FieldResolver(() => Boolean, { description: 'True once closed by its author or at closesAt.' })
  isClosed(@Root() poll: Post): boolean {
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

  @Mutation(() => CreatePollPayload, { nullable: true, description: 'Opens a poll.' })
  @UseMiddleware(CountsAsWrite)
  async createPoll(
    @Arg('input', () => CreatePollInput, { description: 'The poll.' }) input: CreatePollInput,
    @Ctx() context: RequestContext,
  ): Promise<CreatePollPayload> {
    const viewer = signedIn(context.viewer);
    return { poll: await atArgument('input', () => this.polls.create(viewer, input)) };
  }

  @Mutation(() => CastVotePayload, { nullable: true, description: "Votes, replacing the viewer's earlier vote. POLL_CLOSED once the poll is closed." })
  @UseMiddleware(CountsAsWrite)
  async castVote(
    @Arg('input', () => CastVoteInput, { description: 'The vote.' }) input: CastVoteInput,
    @Ctx() context: RequestContext,
  ): Promise<CastVotePayload> {
    const viewer = signedIn(context.viewer);
    const poll = await atArgument('input', () =>
      this.polls.castVote(viewer, {
        pollId: idOf(input.pollId, 'pollId', ['Poll'], 'Poll').id,
        optionIds: input.optionIds.map((id, index) => idOf(id, `optionIds[${index}]`, ['PollOption'], 'Poll option').id),
      }),
    );
    context.loaders.viewerChoicesByPollId.clear(poll.id);
    context.loaders.optionsByPollId.clear(poll.id);
    context.loaders.pollStateById.clear(poll.id);
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
    const poll = await atArgument('input', () => this.polls.retractVote(viewer, idOf(input.pollId, 'pollId', ['Poll'], 'Poll').id));
    context.loaders.viewerChoicesByPollId.clear(poll.id);
    context.loaders.optionsByPollId.clear(poll.id);
    context.loaders.pollStateById.clear(poll.id);
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
  const visible = maySeeTallies(current, context.viewer?.id ?? null, choices.length > 0, now);
  return buildPollResults(current, state?.options ?? [], visible, now);
}
