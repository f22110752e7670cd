import { Field, ObjectType, Int } from 'type-graphql';
import { PageInfo } from '../../graphql/pagination';
import { Comment } from './comment.entity';

@ObjectType('CommentEdge', { description: 'A comment and its position in a list.' })
export class CommentEdge {
  @Field(() => String, { description: 'Pass as `after` to continue the list after this comment.' })
  cursor: string;

  @Field(() => Comment, { description: 'The comment.' })
  node: Comment;
}

@ObjectType('CommentConnection', { description: 'A page of comments (Relay cursor connection).' })
export class CommentConnection {
  @Field(() => [CommentEdge], { description: 'The comments of this page with their cursors.' })
  edges: CommentEdge[];

  @Field(() => [Comment], { description: 'The comments of this page.' })
  nodes: Comment[];

  @Field(() => PageInfo, { description: 'Where this page sits in the list.' })
  pageInfo: PageInfo;

  /** Counting is a query of its own: run only when totalCount is asked for. */
  countTotal: () => Promise<number> | number;

  @Field(() => Int, { description: 'Comments in this list, placeholders of deleted comments included.' })
  totalCount(): Promise<number> | number {
    return this.countTotal();
  }
}
