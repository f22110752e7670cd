/** GraphQL shapes of explained recommendations (insights.graphql: Recommendation, RecommendationReason). */
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import type { Post } from '../post/post.entity';
import { PostInterface } from '../post/post.types';
import { Topic } from '../topic/topic.entity';
import { Explained, RecommendationReason } from './recommendation-explanation';

registerEnumType(RecommendationReason, {
  name: 'RecommendationReason',
  description: 'Why a post is recommended.',
  valuesConfig: {
    SHARED_TOPICS: { description: 'It shares at least one topic with `relatedTo`.' },
    POPULAR: { description: "It shares no topic with `relatedTo`, or `relatedTo` was omitted: it is one of the community's most popular posts." },
  },
});

@ObjectType('Recommendation', { description: 'One entry of "Content you might like", with the reason it is there.' })
export class Recommendation implements Explained<Topic> {
  @Field(() => PostInterface, { description: 'The recommended post; never `relatedTo` itself.' })
  post: Post;

  @Field(() => RecommendationReason, { description: 'SHARED_TOPICS exactly when sharedTopics is not empty.' })
  reason: RecommendationReason;

  @Field(() => [Topic], {
    description: 'The topics the post shares with `relatedTo`: most used first (Topic.postCount), then by slug; empty for POPULAR.',
  })
  sharedTopics: Topic[];

  @Field(() => String, {
    description:
      'One line for display (English), made from sharedTopics\' names in that order: "Shares Remote Work" (one), ' +
      '"Shares Remote Work and Leadership" (two), "Shares Remote Work, Leadership and Hiring" (three), "Shares Remote ' +
      'Work, Leadership, Hiring and 2 more" (more than three: the first three, then how many more); "Popular in the ' +
      'community" for POPULAR.',
  })
  explanation: string;

  static of(post: Post, explained: Explained<Topic>): Recommendation {
    return Object.assign(new Recommendation(), { post, ...explained });
  }
}
