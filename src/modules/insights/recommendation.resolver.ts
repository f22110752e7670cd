import { Arg, Ctx, ID, Int, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../context';
import { PostListService } from '../post/post-lists.service';
import { RECOMMENDATIONS_DEFAULT, recommendedPostsFor } from '../post/recommended-posts';
import { explainRecommendation } from './recommendation-explanation';
import { Recommendation } from './recommendation.types';

/** "Content you might like", explained: the posts of recommendedPosts, each with why it is there. */
@Resolver(() => Recommendation)
export class RecommendationResolver {
  constructor(private readonly lists: PostListService) {}

  @Query(() => [Recommendation], {
    nullable: true,
    description:
      '"Content you might like", explained: exactly the posts that recommendedPosts(relatedTo, first) returns, in the ' +
      'same order (posts sharing the most topics with `relatedTo` first, then the most popular), each with the reason ' +
      'it is there. Never `relatedTo` itself; popular posts only when it is omitted; NOT_FOUND when it names no post ' +
      '(data null). `first` is 1..20 (BAD_USER_INPUT on "first" otherwise).',
  })
  async recommendations(
    @Ctx() context: RequestContext,
    @Arg('relatedTo', () => ID, { nullable: true, description: 'The post being read.' }) relatedTo: string | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: RECOMMENDATIONS_DEFAULT, description: '1 to 20.' }) first: number | null,
  ): Promise<Recommendation[]> {
    // recommendedPosts' own code path: the same posts, order, errors and visibility.
    const { related, posts } = await recommendedPostsFor(this.lists, context, relatedTo, first);
    // Without relatedTo nothing can be shared: every post is there for its popularity.
    if (!related) return posts.map((post) => Recommendation.of(post, explainRecommendation([], [])));
    // One batch for relatedTo's topics and every post's: the loader Post.topics reads too, so selecting them costs nothing more.
    const [relatedTopics, ...postTopics] = await Promise.all(
      [related.id, ...posts.map((post) => post.id)].map((id) => context.loaders.topicsByPostId.load(id)),
    );
    return posts.map((post, index) => Recommendation.of(post, explainRecommendation(relatedTopics, postTopics[index])));
  }
}
