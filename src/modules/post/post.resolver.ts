import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, UseMiddleware } from 'type-graphql';
import { atArgument, idOf, signedIn } from '../../graphql/api-edge';
import { fromGlobalId } from '../../graphql/global-id';
import { pageSize } from '../../graphql/input-validation';
import { PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX } from '../../graphql/pagination';
import { CommentOrder } from '../comment/comment-order';
import { commentCursorKey } from '../comment/comment.service';
import { CommentConnection } from '../comment/comment.types';
import type { RequestContext } from '../context';
import { Member } from '../member/member.entity';
import { Topic } from '../topic/topic.entity';
import { PostKindFilter, PostOrder } from './post-order';
import { postRefOf } from './post-ref';
import type { Post } from './post.entity';
import {
  CreateThreadInput,
  CreateThreadPayload,
  DeletePostInput,
  DeletePostPayload,
  EditThreadInput,
  EditThreadPayload,
  RecordViewInput,
  RecordViewPayload,
} from './post.inputs';
import { PostConnection, PostInterface, PostStats } from './post.types';
import { PostAuthoringService } from './post-authoring.service';
import { PostListService } from './post-lists.service';
import { PostService } from './post.service';
import { recommendedPostsFor } from './recommended-posts';
import { CountsAsWrite } from '../write-limit';
import { contentViewerOf, removedCommentsSeenBy, visiblePost } from '../moderation/visibility';
import { reachablePostOrNotFound } from '../moderation/reach';

/** The fields of Thread and Poll that are not columns (own class: the type grows with later fields). */
@Resolver(() => PostInterface)
export class PostFieldResolver {
  @FieldResolver(() => Member, { description: 'Who posted it.' })
  async author(@Root() post: Post, @Ctx() context: RequestContext): Promise<Member> {
    const author = await context.loaders.memberById.load(post.authorId);
    if (!author) throw new Error(`post ${post.id} has no author ${post.authorId}`);
    return author;
  }

  @FieldResolver(() => [Topic], { description: 'Topics the post is filed under, by name.' })
  topics(@Root() post: Post, @Ctx() context: RequestContext): Promise<Topic[]> {
    return context.loaders.topicsByPostId.load(post.id);
  }

  @FieldResolver(() => PostStats, { description: 'The live counters, in the shape Subscription.postStatsUpdated pushes.' })
  stats(@Root() post: Post): PostStats {
    return new PostStats(post);
  }

  @FieldResolver(() => CommentConnection, { description: 'Top-level comments.' })
  async comments(
    @Root() post: Post,
    @Ctx() context: RequestContext,
    @Arg('first', () => Int, { nullable: true, defaultValue: PAGE_SIZE_DEFAULT, description: `1 to ${PAGE_SIZE_MAX}.` }) first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'Cursor of the last comment of the previous page.' }) after: string | null,
    @Arg('orderBy', () => CommentOrder, { nullable: true, defaultValue: CommentOrder.OLDEST, description: 'The order of the list.' })
    orderBy: CommentOrder | null,
  ): Promise<CommentConnection> {
    const scope = { kind: 'post' as const, postId: post.id };
    const request = { scope, order: orderBy ?? CommentOrder.OLDEST, first: pageSize(first), after: after ?? null };
    // Checked here, not in the batch: one bad cursor must not fail the other lists of the request.
    commentCursorKey(request.after, request.order);
    // Removed comments are listed in full for their authors and moderators only (moderation.graphql).
    const removedSeen = removedCommentsSeenBy(await contentViewerOf(context));
    const page = await context.loaders.commentPageByRequest.load({ ...request, removedSeen });
    // Replies ask for their parent: it is on this page already.
    page.nodes.forEach((comment) => context.loaders.commentById.prime(comment.id, comment));
    return Object.assign(new CommentConnection(), page, {
      countTotal: () => context.loaders.commentCountByListRequest.load({ scope, removedSeen }),
    });
  }
}

/** Reads and writes of posts. */
@Resolver(() => PostInterface)
export class PostResolver {
  constructor(
    private readonly postService: PostService,
    private readonly lists: PostListService,
    private readonly authoring: PostAuthoringService,
  ) {}

  @Query(() => PostInterface, { nullable: true, description: 'Null when no post has this id.' })
  async post(@Arg('id', () => ID, { description: "A thread's or poll's ID." }) id: string, @Ctx() context: RequestContext): Promise<Post | null> {
    const decoded = fromGlobalId(id);
    if (!decoded || (decoded.type !== 'Thread' && decoded.type !== 'Poll')) return null;
    // A removed post is gone for everyone but its author and moderators, as a deleted one.
    const post = await visiblePost(await context.loaders.postById.load(decoded.id), context);
    return post && post.typeName === decoded.type ? post : null;
  }

  @Query(() => PostConnection, {
    description:
      'Posts. `topicSlug` keeps posts with that topic. `search` keeps posts in which every word of it appears, ' +
      'case-insensitively, in the title, the body or description, or an option label.',
  })
  async posts(
    @Ctx() context: RequestContext,
    @Arg('first', () => Int, { nullable: true, defaultValue: PAGE_SIZE_DEFAULT, description: `1 to ${PAGE_SIZE_MAX}.` }) first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'Cursor of the last post of the previous page.' }) after: string | null,
    @Arg('orderBy', () => PostOrder, { nullable: true, defaultValue: PostOrder.NEWEST, description: 'The order of the list.' })
    orderBy: PostOrder | null,
    @Arg('kind', () => PostKindFilter, { nullable: true, description: 'Only threads, or only polls.' }) kind: PostKindFilter | null,
    @Arg('topicSlug', () => String, { nullable: true, description: 'Only posts filed under this topic.' }) topicSlug: string | null,
    @Arg('search', () => String, {
      nullable: true,
      description: 'Words that must all appear (any part of a word, case-insensitive); at most 10 words, 200 characters.',
    })
    search: string | null,
  ): Promise<PostConnection> {
    const page = await this.lists.list({
      first: pageSize(first),
      after: after ?? null,
      orderBy: orderBy ?? PostOrder.NEWEST,
      kind: kind ?? null,
      topicSlug: topicSlug ?? null,
      search: search ?? null,
    });
    page.nodes.forEach((post) => context.loaders.postById.prime(post.id, post));
    return Object.assign(new PostConnection(), page);
  }

  @Query(() => [PostInterface], {
    nullable: true,
    description:
      '"Content you might like": posts sharing the most topics with `relatedTo` first, then the most popular; ' +
      'never `relatedTo` itself; popular posts when it is omitted; NOT_FOUND when it names no post. `first` is 1..20.',
  })
  async recommendedPosts(
    @Ctx() context: RequestContext,
    @Arg('relatedTo', () => ID, { nullable: true, description: 'The post being read.' }) relatedTo: string | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 5, description: '1 to 20.' }) first: number | null,
  ): Promise<Post[]> {
    return (await recommendedPostsFor(this.lists, context, relatedTo, first)).posts;
  }

  @Mutation(() => CreateThreadPayload, { nullable: true, description: 'Opens a discussion thread.' })
  @UseMiddleware(CountsAsWrite)
  async createThread(
    @Arg('input', () => CreateThreadInput, { description: 'The thread.' }) input: CreateThreadInput,
    @Ctx() context: RequestContext,
  ): Promise<CreateThreadPayload> {
    const viewer = signedIn(context.viewer);
    return { thread: await atArgument('input', () => this.postService.createThread(viewer, input)) };
  }

  @Mutation(() => EditThreadPayload, {
    nullable: true,
    description:
      "Edits a thread: author only (anyone else FORBIDDEN, anonymous UNAUTHENTICATED, a poll's or unknown id NOT_FOUND). " +
      'Each given field replaces the old value. When the title or body changes, the new text becomes a new revision and ' +
      'editedAt is set; an edit that changes neither (the same text again, or only the topics) records no revision and ' +
      'leaves editedAt as it was. Subscribers of postUpdated get the new state.',
  })
  @UseMiddleware(CountsAsWrite)
  async editThread(
    @Arg('input', () => EditThreadInput, { description: 'The thread and the fields to change.' }) input: EditThreadInput,
    @Ctx() context: RequestContext,
  ): Promise<EditThreadPayload> {
    const viewer = signedIn(context.viewer);
    const thread = await atArgument('input', () =>
      this.authoring.editThread(viewer, { ...input, threadId: idOf(input.threadId, 'threadId', ['Thread'], 'Thread').id }),
    );
    context.loaders.afterEdit();
    return { thread };
  }

  @Mutation(() => RecordViewPayload, {
    nullable: true,
    description: 'Counts a view; repeat views of a post within 30 minutes count once: per signed-in member, and per client address for anonymous views.',
  })
  @UseMiddleware(CountsAsWrite)
  async recordView(
    @Arg('input', () => RecordViewInput, { description: 'The post viewed.' }) input: RecordViewInput,
    @Ctx() context: RequestContext,
  ): Promise<RecordViewPayload> {
    return {
      post: await atArgument('input', async () => {
        const ref = postRefOf(input.postId, 'postId');
        // A post removed for the viewer is gone, as a deleted one (and its anonymous view is not counted against the address).
        await reachablePostOrNotFound(context, ref.id, 'postId');
        return this.postService.recordView(context.viewer, ref, (postId) => context.limits.countsAnonymousView(postId));
      }),
    };
  }

  @Mutation(() => DeletePostPayload, {
    nullable: true,
    description:
      'Deletes a thread or poll: author only (anyone else FORBIDDEN, moderators included: they use moderateContent REMOVE; ' +
      'anonymous UNAUTHENTICATED). Soft: the rows stay, but from then on for everyone the post is gone: post(id) and ' +
      'node(id) return null for it, its comments, replies, options, results and revisions; it is left out of posts ' +
      "(every order, filter and search, and their totalCount), topics' postCount, recommendedPosts (and " +
      'recommendedPosts(relatedTo:) with its id is NOT_FOUND), pinnedPosts (it is unpinned), Member.posts, and ' +
      'Member.comments leaves out its comments. Every mutation naming it or one of its comments (deleting it again ' +
      'included) is NOT_FOUND. Subscribers of postUpdated get one last message with `post: null` and then `complete`; ' +
      'subscriptions to its commentAdded, commentUpdated, postStatsUpdated and pollResultsUpdated end with an `error` ' +
      'message whose code is NOT_FOUND.',
  })
  @UseMiddleware(CountsAsWrite)
  async deletePost(
    @Arg('input', () => DeletePostInput, { description: 'The thread or poll to delete.' }) input: DeletePostInput,
    @Ctx() context: RequestContext,
  ): Promise<DeletePostPayload> {
    const viewer = signedIn(context.viewer);
    const post = await atArgument('input', () => this.authoring.delete(viewer, postRefOf(input.postId, 'postId')));
    return { deletedPostId: post.globalId };
  }
}
