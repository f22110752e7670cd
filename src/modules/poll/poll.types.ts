import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { Node, Upvotable } from '../../graphql/node';
import type { Post } from '../post/post.entity';
import { PostInterface } from '../post/post.types';
import { Editable } from '../revision/revision.types';
import { Reportable } from '../report/report.types';
import { Moderatable } from '../moderation/moderation.types';

export enum ResultsVisibilityEnum {
  ALWAYS = 'ALWAYS',
  ON_VOTE = 'ON_VOTE',
  ON_CLOSE = 'ON_CLOSE',
}

registerEnumType(ResultsVisibilityEnum, {
  name: 'ResultsVisibility',
  description: "Who may see a poll's tallies, and when.",
  valuesConfig: {
    ALWAYS: { description: 'Everyone, always.' },
    ON_VOTE: {
      description: "Members who currently have a vote in the poll (retracting hides them again), and the poll's author; everyone once the poll is closed.",
    },
    ON_CLOSE: { description: "Only the poll's author until the poll is closed; everyone after." },
  },
});

@ObjectType('Poll', {
  implements: [Node, Upvotable, PostInterface, Editable, Reportable, Moderatable],
  description: 'A question members answer by voting.',
})
export class Poll implements Pick<Post, 'description' | 'allowsMultipleChoices' | 'closesAt' | 'resultsVisibility'> {
  @Field(() => String, {
    nullable: true,
    description: 'Context for the question, as plain text; null when none, and while the poll is hidden for everyone but its author and moderators.',
  })
  description: string | null;

  @Field(() => Boolean, { description: 'Whether a member may choose several options.' })
  allowsMultipleChoices: boolean;

  @Field(() => Date, { nullable: true, description: 'When the poll closes by itself; null for never.' })
  closesAt: Date | null;

  @Field(() => ResultsVisibilityEnum, { description: 'Who may see the tallies, and when.' })
  resultsVisibility: ResultsVisibilityEnum;
}
