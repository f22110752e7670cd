/** The poll mutations' inputs and payloads; the limits in their descriptions are the ones the service checks. */
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import type { Post } from '../post/post.entity';
import { POST_TITLE_MAX } from '../post/post.service';
import { MAX_OPTIONS, MIN_OPTIONS, POLL_DESCRIPTION_MAX } from './poll.service';
import { Poll, ResultsVisibilityEnum } from './poll.types';

@InputType('CreatePollInput', { description: 'A new poll.' })
export class CreatePollInput {
  @Field(() => String, { description: `The question, 1 to ${POST_TITLE_MAX.toLocaleString('en-US')} characters.` })
  title: string;

  @Field(() => String, {
    nullable: true,
    description: `Context for the question, up to ${POLL_DESCRIPTION_MAX.toLocaleString('en-US')} characters of plain text.`,
  })
  description?: string | null;

  @Field(() => [String], { description: `${MIN_OPTIONS} to ${MAX_OPTIONS} distinct labels, in display order.` })
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
export class CreatePollPayload {
  @Field(() => Poll, { description: 'The new poll.' })
  poll: Post;
}

@InputType('CastVoteInput', { description: 'A vote.' })
export class CastVoteInput {
  @Field(() => ID, { description: 'The poll.' })
  pollId: string;

  @Field(() => [ID], {
    description: "Exactly one option for a single-choice poll; one or more distinct options otherwise. Replaces the viewer's earlier vote.",
  })
  optionIds: string[];
}

@ObjectType('CastVotePayload', { description: 'The result of castVote.' })
export class CastVotePayload {
  @Field(() => Poll, { description: 'The poll, with the results the viewer may now see.' })
  poll: Post;
}

@InputType('RetractVoteInput', { description: 'The poll whose vote to withdraw.' })
export class RetractVoteInput {
  @Field(() => ID, { description: 'The poll.' })
  pollId: string;
}

@ObjectType('RetractVotePayload', { description: 'The result of retractVote.' })
export class RetractVotePayload {
  @Field(() => Poll, { description: 'The poll.' })
  poll: Post;
}

@InputType('ClosePollInput', { description: 'The poll to close.' })
export class ClosePollInput {
  @Field(() => ID, { description: 'The poll.' })
  pollId: string;
}

@ObjectType('ClosePollPayload', { description: 'The result of closePoll.' })
export class ClosePollPayload {
  @Field(() => Poll, { description: 'The closed poll.' })
  poll: Post;
}

@InputType('EditPollInput', { description: 'What editPoll changes; at least the id.' })
export class EditPollInput {
  @Field(() => ID, { description: "The poll to edit (a thread's id: NOT_FOUND)." })
  pollId: string;

  @Field(() => String, {
    nullable: true,
    description: `The new question (1-${POST_TITLE_MAX.toLocaleString('en-US')} characters); omitted or null: unchanged.`,
  })
  title?: string | null;

  @Field(() => String, {
    nullable: true,
    description: `The new description (up to ${POLL_DESCRIPTION_MAX.toLocaleString('en-US')} characters); "" removes it; omitted or null: unchanged.`,
  })
  description?: string | null;

  @Field(() => [String], { nullable: true, description: "Replaces the poll's topics, as EditThreadInput.topics." })
  topics?: string[] | null;

  @Field(() => [String], {
    nullable: true,
    description:
      `Replaces the options: ${MIN_OPTIONS} to ${MAX_OPTIONS} distinct labels (compared case-insensitively), in display order; every option gets a new id. ` +
      'Allowed only while the poll is open and nobody has a vote in it: on a closed poll POLL_CLOSED; once anyone has a vote ' +
      '(participantCount > 0) POLL_HAS_VOTES (checked in that order). PollResults.version then rises by one. Those checks come first: ' +
      'on an open poll without votes, the same labels in the same order change nothing (same ids, no revision). Omitted or null: unchanged.',
  })
  options?: string[] | null;
}

@ObjectType('EditPollPayload', { description: 'The result of editPoll.' })
export class EditPollPayload {
  @Field(() => Poll, { description: 'The poll after the edit.' })
  poll: Post;
}
