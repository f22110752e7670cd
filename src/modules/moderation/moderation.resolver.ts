/**
 * Content moderation at the API edge: moderateContent, and Moderatable's fields on threads, polls
 * and comments. The text each viewer may see is withheld by the content's own field resolvers
 * (Thread.body, Poll.description, Comment.body and author, revisions) through visibility.ts.
 */
import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { atArgument, idOf, signedInModerator } from '../../graphql/api-edge';
import type { RequestContext } from '../context';
import type { PostKind } from '../post/post.entity';
import { ContentModerationService, ContentRef } from './content-moderation.service';
import { ModerationReason, ModerationState } from './moderation.enums';
import { ModerateContentInput } from './moderation.inputs';
import { Moderatable, ModerateContentPayload } from './moderation.types';
import { contentViewerOf } from './visibility';

/** What Moderatable's fields read of a thread, poll (a Post row) or comment. */
interface ModeratableRow {
  moderationState: string;
  moderationReason: string | null;
}

@Resolver(() => Moderatable)
export class ModeratableFieldResolver {
  @FieldResolver(() => ModerationState, { description: 'Shown to everyone who gets the content or its placeholder.' })
  moderationState(@Root() content: ModeratableRow): ModerationState {
    return content.moderationState as ModerationState;
  }

  @FieldResolver(() => ModerationReason, {
    nullable: true,
    description: 'The reason the moderator gave for hiding or removing it; null while VISIBLE. Shown with the placeholder.',
  })
  moderationReason(@Root() content: ModeratableRow): ModerationReason | null {
    return content.moderationState === ModerationState.VISIBLE ? null : (content.moderationReason as ModerationReason | null);
  }

  @FieldResolver(() => Boolean, {
    description: 'True when the viewer is a moderator (may call moderateContent on it, and lockPost or pinPost on a post).',
  })
  async viewerCanModerate(@Ctx() context: RequestContext): Promise<boolean> {
    return (await contentViewerOf(context)).isModerator;
  }
}

@Resolver()
export class ContentModerationResolver {
  constructor(private readonly moderation: ContentModerationService) {}

  @Mutation(() => ModerateContentPayload, {
    nullable: true,
    description:
      "Hides, unhides, removes or restores a thread, poll or comment: moderators only, on anyone's content (their own included). " +
      'The moves: HIDE VISIBLE → HIDDEN, UNHIDE HIDDEN → VISIBLE, REMOVE VISIBLE or HIDDEN → REMOVED, RESTORE REMOVED → VISIBLE. ' +
      'An action whose resulting state is the current one (HIDE of hidden content, UNHIDE or RESTORE of visible content, REMOVE ' +
      'of removed content) changes nothing, logs nothing and returns the subject; any other move (HIDE or UNHIDE of removed ' +
      'content, RESTORE of hidden content) is BAD_USER_INPUT on input.action. Content deleted by its author is NOT_FOUND. HIDE ' +
      'and REMOVE resolve every OPEN report on the subject as ACTIONED (returned in resolvedReports), and HIDE and REMOVE of a ' +
      'post unpin it. Each change is logged and pushed (postUpdated, commentUpdated).',
  })
  // Not @UseMiddleware(CountsAsWrite): moderators' actions do not count toward the write limits (issue #11).
  async moderateContent(
    @Arg('input', () => ModerateContentInput, { description: 'The subject, the action and the reason.' }) input: ModerateContentInput,
    @Ctx() context: RequestContext,
  ): Promise<ModerateContentPayload> {
    const moderator = signedInModerator(context.viewer);
    const result = await atArgument('input', () => {
      const decoded = idOf(input.subjectId, 'subjectId', ['Thread', 'Poll', 'Comment'], 'Moderatable');
      const subject: ContentRef =
        decoded.type === 'Comment' ? { type: 'COMMENT', id: decoded.id } : { type: 'POST', id: decoded.id, kind: decoded.type.toUpperCase() as PostKind };
      return this.moderation.moderate(moderator, { subject, action: input.action, reason: input.reason, note: input.note });
    });
    // The request may have read the subject before: its loaders must not answer with the old state.
    context.loaders.afterEdit();
    if (result.subject.typeName === 'Comment') context.loaders.commentById.clear(result.subject.id);
    else context.loaders.postById.clear(result.subject.id);
    return Object.assign(new ModerateContentPayload(), result);
  }
}
