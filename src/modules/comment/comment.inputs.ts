/** The comment mutations' inputs and payloads; the limits in their descriptions are the ones the service checks. */
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { Comment } from './comment.entity';
import { COMMENT_BODY_MAX } from './comment.service';
import { CommentEdge } from './comment.types';

@InputType('AddCommentInput', { description: 'A new comment, or a reply to one.' })
export class AddCommentInput {
  @Field(() => ID, { description: 'The thread or poll commented on.' })
  postId: string;

  @Field(() => String, {
    description: `Plain text, 1 to ${COMMENT_BODY_MAX.toLocaleString('en-US')} characters; paragraphs separated by a blank line.`,
  })
  body: string;

  @Field(() => ID, { nullable: true, description: 'Reply to this comment of the same post.' })
  parentId?: string | null;
}

@ObjectType('AddCommentPayload', { description: 'The result of addComment.' })
export class AddCommentPayload {
  @Field(() => Comment, { description: 'The new comment.' })
  comment: Comment;

  @Field(() => CommentEdge, { description: "The new comment as an edge of its list (top-level comments, or its parent's replies)." })
  commentEdge: CommentEdge;
}

@InputType('EditCommentInput', { description: 'New text for a comment.' })
export class EditCommentInput {
  @Field(() => ID, { description: 'The comment to edit.' })
  commentId: string;

  @Field(() => String, { description: `Plain text, 1 to ${COMMENT_BODY_MAX.toLocaleString('en-US')} characters.` })
  body: string;
}

@ObjectType('EditCommentPayload', { description: 'The result of editComment.' })
export class EditCommentPayload {
  @Field(() => Comment, { description: 'The edited comment.' })
  comment: Comment;
}

@InputType('DeleteCommentInput', { description: 'The comment to delete.' })
export class DeleteCommentInput {
  @Field(() => ID, { description: 'The comment to delete.' })
  commentId: string;
}

@ObjectType('DeleteCommentPayload', { description: 'The result of deleteComment.' })
export class DeleteCommentPayload {
  @Field(() => Comment, { description: 'The deleted comment, as a placeholder.' })
  comment: Comment;
}
