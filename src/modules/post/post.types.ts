/**
 * GraphQL shapes of posts. Rows of the posts table are served as Thread or
 * Poll according to their kind (resolveNodeType reads Post.typeName).
 */
import { Field, ID, Int, InterfaceType, ObjectType } from 'type-graphql';
import { toGlobalId } from '../../graphql/global-id';
import { Node, resolveNodeType, Upvotable } from '../../graphql/node';
import { Connection, Edge } from '../../graphql/connection';
import { Editable } from '../revision/revision.types';
import { Reportable } from '../report/report.types';
import { Moderatable } from '../moderation/moderation.types';
import type { Post } from './post.entity';

@InterfaceType('Post', {
  implements: [Node, Upvotable, Editable, Reportable, Moderatable],
  description: 'A piece of content members discuss: a discussion thread or a poll.',
  resolveType: resolveNodeType,
})
export abstract class PostInterface implements Pick<Post, 'title' | 'createdAt' | 'viewCount' | 'commentCount'> {
  @Field(() => String, { description: 'The question or headline.' })
  title: string;

  @Field(() => Date, { description: 'When the post was published.' })
  createdAt: Date;

  @Field(() => Int, { description: 'Views counted by recordView: a signed-in member counts once per 30 minutes.' })
  viewCount: number;

  @Field(() => Int, { description: 'All comments and replies that are not deleted.' })
  commentCount: number;
}

@ObjectType('Thread', {
  implements: [Node, Upvotable, PostInterface, Editable, Reportable, Moderatable],
  description: 'A question or topic opened for discussion.',
})
export class Thread implements Pick<Post, 'body'> {
  @Field(() => String, {
    description:
      'The question\'s details, as plain text (paragraphs separated by a blank line); "" while the thread is hidden, for everyone but its author and moderators.',
  })
  body: string;
}

@ObjectType('PostStats', { implements: Node, description: "A post's live counters." })
export class PostStats implements Pick<Post, 'viewCount' | 'upvoteCount' | 'commentCount'> {
  readonly postDbId: number;

  @Field(() => ID, { description: "The post's global ID." })
  postId: string;

  @Field(() => Int, { description: 'Views of the post.' })
  viewCount: number;

  @Field(() => Int, { description: 'Upvotes of the post.' })
  upvoteCount: number;

  @Field(() => Int, { description: 'Comments and replies that are not deleted.' })
  commentCount: number;

  constructor(post: Post) {
    this.postDbId = post.id;
    this.postId = post.globalId;
    this.viewCount = post.viewCount;
    this.upvoteCount = post.upvoteCount;
    this.commentCount = post.commentCount;
  }

  /** Its own stable ID (not the post's), so a normalized cache keeps one entry per post. */
  get globalId(): string {
    return toGlobalId('PostStats', this.postDbId);
  }

  get typeName(): string {
    return 'PostStats';
  }
}

@ObjectType('PostEdge', { description: 'A post and its position in a list.' })
export class PostEdge extends Edge<Post>(() => PostInterface, { one: 'post' }) {}

@ObjectType('PostConnection', { description: 'A page of posts (Relay cursor connection).' })
export class PostConnection extends Connection<Post, PostEdge>(
  () => PostEdge,
  () => PostInterface,
  {
    many: 'posts',
    totalCount: 'Posts matching the filters, over all pages.',
  },
) {}
