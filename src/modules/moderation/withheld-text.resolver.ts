/**
 * Thread.body and Poll.description as each viewer may read them: withheld ("" and null) from
 * everyone but the author and moderators while the post is HIDDEN (or REMOVED, for the rare path
 * that still reaches it). The title, options and tallies stay, so lists can show a placeholder.
 */
import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../context';
import type { Post } from '../post/post.entity';
import { Thread } from '../post/post.types';
import { Poll } from '../poll/poll.types';
import { ModerationState } from './moderation.enums';
import { contentViewerOf, isWithheldFrom } from './visibility';

/** Whether the post's text is withheld from this request's viewer (no role read while it is VISIBLE). */
async function withholds(post: Post, context: RequestContext): Promise<boolean> {
  return post.moderationState !== ModerationState.VISIBLE && isWithheldFrom(await contentViewerOf(context), post);
}

@Resolver(() => Thread)
export class ThreadTextResolver {
  @FieldResolver(() => String, {
    description:
      'The question\'s details, as plain text (paragraphs separated by a blank line); "" while the thread is hidden, for everyone but its author and moderators.',
  })
  async body(@Root() post: Post, @Ctx() context: RequestContext): Promise<string> {
    return (await withholds(post, context)) ? '' : (post.body ?? '');
  }
}

@Resolver(() => Poll)
export class PollTextResolver {
  @FieldResolver(() => String, {
    nullable: true,
    description: 'Context for the question, as plain text; null when none, and while the poll is hidden for everyone but its author and moderators.',
  })
  async description(@Root() post: Post, @Ctx() context: RequestContext): Promise<string | null> {
    return (await withholds(post, context)) ? null : post.description;
  }
}
