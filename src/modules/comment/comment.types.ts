import { ObjectType } from 'type-graphql';
import { Connection, Edge } from '../../graphql/connection';
import { Comment } from './comment.entity';

@ObjectType('CommentEdge', { description: 'A comment and its position in a list.' })
export class CommentEdge extends Edge<Comment>(() => Comment, { one: 'comment' }) {}

@ObjectType('CommentConnection', { description: 'A page of comments (Relay cursor connection).' })
export class CommentConnection extends Connection<Comment, CommentEdge>(
  () => CommentEdge,
  () => Comment,
  {
    many: 'comments',
    totalCount: 'Comments in this list, placeholders of deleted comments included.',
  },
) {}
