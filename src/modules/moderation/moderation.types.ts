/**
 * GraphQL shapes of content moderation: the Moderatable interface (threads, polls and comments
 * implement it), the moves of moderateContent and its payload. The fields that need the viewer
 * (viewerCanModerate) or withhold text are resolved in moderation.resolver.ts and the content's own
 * resolvers, through visibility.ts.
 */
import { Field, InterfaceType, ObjectType, registerEnumType } from 'type-graphql';
import { Node, resolveNodeType } from '../../graphql/node';
import { Report } from '../report/report.entity';
import { Reportable } from '../report/report.types';
import { ModerationReason, ModerationState } from './moderation.enums';

@InterfaceType('Moderatable', {
  implements: [Node, Reportable],
  description: 'Content moderators can hide or remove: threads, polls and comments.',
  resolveType: resolveNodeType,
})
export abstract class Moderatable {
  // `id` comes from Node (implements).

  @Field(() => ModerationState, { description: 'Shown to everyone who gets the content or its placeholder.' })
  moderationState: ModerationState;

  @Field(() => ModerationReason, {
    nullable: true,
    description: 'The reason the moderator gave for hiding or removing it; null while VISIBLE. Shown with the placeholder.',
  })
  moderationReason: ModerationReason | null;

  @Field(() => Boolean, {
    description: 'True when the viewer is a moderator (may call moderateContent on it, and lockPost or pinPost on a post).',
  })
  viewerCanModerate: boolean;
}

/** What moderateContent does. */
export enum ContentModerationAction {
  HIDE = 'HIDE',
  UNHIDE = 'UNHIDE',
  REMOVE = 'REMOVE',
  RESTORE = 'RESTORE',
}

registerEnumType(ContentModerationAction, {
  name: 'ContentModerationAction',
  description: 'What moderateContent does.',
  valuesConfig: {
    HIDE: { description: 'VISIBLE → HIDDEN.' },
    UNHIDE: { description: 'HIDDEN → VISIBLE.' },
    REMOVE: { description: 'VISIBLE or HIDDEN → REMOVED.' },
    RESTORE: { description: 'REMOVED → VISIBLE.' },
  },
});

/** A thread, poll (a Post row) or comment, as moderateContent returns it. */
export interface ModeratedSubject {
  readonly globalId: string;
  readonly typeName: string;
  moderationState: string;
}

@ObjectType('ModerateContentPayload', { description: 'The result of moderateContent.' })
export class ModerateContentPayload {
  @Field(() => Moderatable, { description: 'The thread, poll or comment after the action, as the moderator sees it.' })
  subject: ModeratedSubject;

  @Field(() => [Report], { description: 'The OPEN reports on the subject that this action resolved as ACTIONED (HIDE and REMOVE); empty otherwise.' })
  resolvedReports: Report[];
}
