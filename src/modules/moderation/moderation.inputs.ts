/** moderateContent's input; the limits in its descriptions are the ones ContentModerationService checks. */
import { Field, ID, InputType } from 'type-graphql';
import { ModerationReason } from './moderation.enums';
import { ContentModerationAction } from './moderation.types';

@InputType('ModerateContentInput', { description: 'What moderateContent does to what, and why.' })
export class ModerateContentInput {
  @Field(() => ID, { description: 'A thread, poll or comment (anything else: NOT_FOUND; members are suspended with suspendMember).' })
  subjectId: string;

  @Field(() => ContentModerationAction, { description: 'HIDE, UNHIDE, REMOVE or RESTORE.' })
  action: ContentModerationAction;

  @Field(() => ModerationReason, {
    nullable: true,
    description: 'Needed for HIDE and REMOVE (BAD_USER_INPUT on input.reason without one); optional for UNHIDE and RESTORE.',
  })
  reason?: ModerationReason | null;

  @Field(() => String, { nullable: true, description: 'Up to 1,000 characters; written to the moderation log, never shown to members.' })
  note?: string | null;
}
