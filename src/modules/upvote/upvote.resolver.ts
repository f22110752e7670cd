import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root, UseMiddleware } from 'type-graphql';
import { atArgument, idOf, signedIn } from '../../graphql/api-edge';
import { Upvotable } from '../../graphql/node';
import { Comment } from '../comment/comment.entity';
import type { RequestContext } from '../context';
import { AddUpvoteInput, AddUpvotePayload, RemoveUpvoteInput, RemoveUpvotePayload } from './upvote.inputs';
import { UpvoteService } from './upvote.service';
import type { UpvoteSubject, UpvoteTarget } from './upvote.service';
import { CountsAsWrite } from '../write-limit';
import { reachableCommentOrNotFound, reachablePostOrNotFound } from '../moderation/reach';

@Resolver(() => Upvotable)
export class UpvoteResolver {
  constructor(private readonly upvotes: UpvoteService) {}

  @FieldResolver(() => Boolean, { description: 'False for anonymous viewers.' })
  viewerHasUpvoted(@Root() subject: UpvoteSubject, @Ctx() context: RequestContext): Promise<boolean> {
    return subject instanceof Comment ? context.loaders.viewerUpvotedByCommentId.load(subject.id) : context.loaders.viewerUpvotedByPostId.load(subject.id);
  }

  @Mutation(() => AddUpvotePayload, { nullable: true, description: 'Idempotent: upvoting twice counts once.' })
  @UseMiddleware(CountsAsWrite)
  async addUpvote(
    @Arg('input', () => AddUpvoteInput, { description: 'The subject.' }) input: AddUpvoteInput,
    @Ctx() context: RequestContext,
  ): Promise<AddUpvotePayload> {
    const viewer = signedIn(context.viewer);
    const subject = await atArgument('input', async () => this.upvotes.add(viewer, await reachableUpvoteTarget(context, input.subjectId)));
    context.loaders.afterUpvote(subject);
    return { subject };
  }

  @Mutation(() => RemoveUpvotePayload, { nullable: true, description: 'Idempotent.' })
  @UseMiddleware(CountsAsWrite)
  async removeUpvote(
    @Arg('input', () => RemoveUpvoteInput, { description: 'The subject.' }) input: RemoveUpvoteInput,
    @Ctx() context: RequestContext,
  ): Promise<RemoveUpvotePayload> {
    const viewer = signedIn(context.viewer);
    const subject = await atArgument('input', async () => this.upvotes.remove(viewer, await reachableUpvoteTarget(context, input.subjectId)));
    context.loaders.afterUpvote(subject);
    return { subject };
  }
}

/** The post or comment `subjectId` names, NOT_FOUND on it when removed for the viewer (as a deleted one). */
async function reachableUpvoteTarget(context: RequestContext, subjectId: string): Promise<UpvoteTarget> {
  const target = upvoteTargetOf(subjectId);
  if (target.kind === 'COMMENT') await reachableCommentOrNotFound(context, target.id, 'subjectId', 'Post or comment');
  else await reachablePostOrNotFound(context, target.id, 'subjectId', 'Post or comment');
  return target;
}

/** The post or comment a global ID names (the field `subjectId` of the input). */
function upvoteTargetOf(subjectId: string): UpvoteTarget {
  const { type, id } = idOf(subjectId, 'subjectId', ['Thread', 'Poll', 'Comment'], 'Post or comment');
  return { kind: type === 'Comment' ? 'COMMENT' : type === 'Poll' ? 'POLL' : 'THREAD', id };
}
