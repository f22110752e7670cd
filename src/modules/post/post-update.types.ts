/** The GraphQL shape of Subscription.postUpdated's messages (post/post-updated.feed.ts pushes them). */
import { Field, ID, ObjectType } from 'type-graphql';
import type { Post } from './post.entity';
import { PostInterface } from './post.types';

@ObjectType('PostUpdate', { description: 'One message of Subscription.postUpdated.' })
export class PostUpdate {
  @Field(() => ID, { description: 'The post subscribed to.' })
  postId: string;

  @Field(() => PostInterface, {
    nullable: true,
    description:
      'The post as the subscriber may see it now (text withheld where moderation says so; viewer-dependent fields resolved for the ' +
      'subscriber). Null when the post is gone for the subscriber: deleted by its author, or removed by a moderator and the subscriber ' +
      'is neither its author nor a moderator. A message with `post: null` is the last one: the subscription completes after it.',
  })
  post: Post | null;

  constructor(postId: string, post: Post | null) {
    this.postId = postId;
    this.post = post;
  }
}
