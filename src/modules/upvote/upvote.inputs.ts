/** The upvote mutations' inputs and payloads. */
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { Upvotable } from '../../graphql/node';
import type { UpvoteSubject } from './upvote.service';

@InputType('AddUpvoteInput', { description: 'What to upvote.' })
export class AddUpvoteInput {
  @Field(() => ID, { description: 'A post or a comment.' })
  subjectId: string;
}

@ObjectType('AddUpvotePayload', { description: 'The result of addUpvote.' })
export class AddUpvotePayload {
  @Field(() => Upvotable, { description: 'The upvoted post or comment, with its new count.' })
  subject: UpvoteSubject;
}

@InputType('RemoveUpvoteInput', { description: 'What to stop upvoting.' })
export class RemoveUpvoteInput {
  @Field(() => ID, { description: 'A post or a comment.' })
  subjectId: string;
}

@ObjectType('RemoveUpvotePayload', { description: 'The result of removeUpvote.' })
export class RemoveUpvotePayload {
  @Field(() => Upvotable, { description: 'The post or comment, with its new count.' })
  subject: UpvoteSubject;
}
