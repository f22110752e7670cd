import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { Upvotable } from '../../graphql/node';
import { Comment } from '../comment/comment.entity';
import type { RequestContext } from '../context';
import { AddUpvoteInput, AddUpvotePayload, RemoveUpvoteInput, RemoveUpvotePayload } from './upvote.inputs';
import { UpvoteService } from './upvote.service';
import type { UpvoteSubject } from './upvote.service';

@Resolver(() => Upvotable)
export class UpvoteResolver {
  constructor(private readonly upvotes: UpvoteService) {}

  @FieldResolver(() => Boolean, { description: 'False for anonymous viewers.' })
  viewerHasUpvoted(@Root() subject: UpvoteSubject, @Ctx() context: RequestContext): Promise<boolean> {
    return subject instanceof Comment ? context.loaders.viewerUpvotedByCommentId.load(subject.id) : context.loaders.viewerUpvotedByPostId.load(subject.id);
  }

  @Mutation(() => AddUpvotePayload, { nullable: true, description: 'Idempotent: upvoting twice counts once.' })
  async addUpvote(
    @Arg('input', () => AddUpvoteInput, { description: 'The subject.' }) input: AddUpvoteInput,
    @Ctx() context: RequestContext,
  ): Promise<AddUpvotePayload> {
    const subject = await this.upvotes.add(context.viewer, input.subjectId);
    context.loaders.afterUpvote(subject);
    return { subject };
  }

  @Mutation(() => RemoveUpvotePayload, { nullable: true, description: 'Idempotent.' })
  async removeUpvote(
    @Arg('input', () => RemoveUpvoteInput, { description: 'The subject.' }) input: RemoveUpvoteInput,
    @Ctx() context: RequestContext,
  ): Promise<RemoveUpvotePayload> {
    const subject = await this.upvotes.remove(context.viewer, input.subjectId);
    context.loaders.afterUpvote(subject);
    return { subject };
  }
}
