import { Arg, Ctx, Field, FieldResolver, ID, InputType, Mutation, ObjectType, Resolver, Root, UseMiddleware } from 'type-graphql';
import { atArgument, idOf, signedIn } from '../../graphql/api-edge';
import { Upvotable } from '../../graphql/node';
import { Comment } from '../comment/comment.entity';
import type { RequestContext } from '../context';
import { UpvoteService } from './upvote.service';
import type { UpvoteSubject, UpvoteTarget } from './upvote.service';
import { CountsAsWrite } from '../write-limit';

@InputType('AddUpvoteInput', { description: 'What to upvote.' })
class AddUpvoteInput {
  @Field(() => ID, { description: 'A post or a comment.' })
  subjectId: string;
}

@ObjectType('AddUpvotePayload', { description: 'The result of addUpvote.' })
class AddUpvotePayload {
  @Field(() => Upvotable, { description: 'The upvoted post or comment, with its new count.' })
  subject: UpvoteSubject;
}

@InputType('RemoveUpvoteInput', { description: 'What to stop upvoting.' })
class RemoveUpvoteInput {
  @Field(() => ID, { description: 'A post or a comment.' })
  subjectId: string;
}

@ObjectType('RemoveUpvotePayload', { description: 'The result of removeUpvote.' })
class RemoveUpvotePayload {
  @Field(() => Upvotable, { description: 'The post or comment, with its new count.' })
  subject: UpvoteSubject;
}

@Resolver(() => Upvotable)
export class UpvoteResolver {
  constructor(private readonly upvotes: UpvoteService) {}

  @FieldResolver(() => Boolean, { description: 'False for anonymous viewers.' })
  viewerHasUpvoted(@Root() subject: UpvoteSubject, @Ctx() context: RequestContext): Promise<boolean> {
    return subject instanceof Comment ? context.loaders.viewerUpvotedCommentId.load(subject.id) : context.loaders.viewerUpvotedPostId.load(subject.id);
  }

  @Mutation(() => AddUpvotePayload, { nullable: true, description: 'Idempotent: upvoting twice counts once.' })
  @UseMiddleware(CountsAsWrite)
  async addUpvote(
    @Arg('input', () => AddUpvoteInput, { description: 'The subject.' }) input: AddUpvoteInput,
    @Ctx() context: RequestContext,
  ): Promise<AddUpvotePayload> {
    const viewer = signedIn(context.viewer);
    const subject = await atArgument('input', () => this.upvotes.add(viewer, upvoteTargetOf(input.subjectId)));
    this.forget(subject, context);
    return { subject };
  }

  @Mutation(() => RemoveUpvotePayload, { nullable: true, description: 'Idempotent.' })
  @UseMiddleware(CountsAsWrite)
  async removeUpvote(
    @Arg('input', () => RemoveUpvoteInput, { description: 'The subject.' }) input: RemoveUpvoteInput,
    @Ctx() context: RequestContext,
  ): Promise<RemoveUpvotePayload> {
    const viewer = signedIn(context.viewer);
    const subject = await atArgument('input', () => this.upvotes.remove(viewer, upvoteTargetOf(input.subjectId)));
    this.forget(subject, context);
    return { subject };
  }

  /** The viewer flag changed: drop what this request's loaders cached. */
  private forget(subject: UpvoteSubject, context: RequestContext): void {
    if (subject instanceof Comment) context.loaders.viewerUpvotedCommentId.clear(subject.id);
    else context.loaders.viewerUpvotedPostId.clear(subject.id);
  }
}

/** The post or comment a global ID names (the field `subjectId` of the input). */
function upvoteTargetOf(subjectId: string): UpvoteTarget {
  const { type, id } = idOf(subjectId, 'subjectId', ['Thread', 'Poll', 'Comment'], 'Post or comment');
  return { kind: type === 'Comment' ? 'COMMENT' : type === 'Poll' ? 'POLL' : 'THREAD', id };
}
