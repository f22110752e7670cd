/** The thread and view mutations' inputs and payloads; the limits in their descriptions are the ones the service checks. */
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import type { Post } from './post.entity';
import { POST_TITLE_MAX, THREAD_BODY_MAX } from './post.service';
import { PostInterface, Thread } from './post.types';

@InputType('CreateThreadInput', { description: 'A new discussion thread.' })
export class CreateThreadInput {
  @Field(() => String, { description: `The question or headline, 1 to ${POST_TITLE_MAX.toLocaleString('en-US')} characters.` })
  title: string;

  @Field(() => String, {
    description: `Plain text, 1 to ${THREAD_BODY_MAX.toLocaleString('en-US')} characters; paragraphs separated by a blank line.`,
  })
  body: string;

  @Field(() => [String], { nullable: true, description: 'Topic names; unknown topics are created.' })
  topics?: string[] | null;
}

@ObjectType('CreateThreadPayload', { description: 'The result of createThread.' })
export class CreateThreadPayload {
  @Field(() => Thread, { description: 'The new thread.' })
  thread: Post;
}

@InputType('RecordViewInput', { description: 'The post that was viewed.' })
export class RecordViewInput {
  @Field(() => ID, { description: 'A thread or poll.' })
  postId: string;
}

@ObjectType('RecordViewPayload', { description: 'The result of recordView.' })
export class RecordViewPayload {
  @Field(() => PostInterface, { description: 'The post with its updated counters.' })
  post: Post;
}

@InputType('DeletePostInput', { description: 'The post deletePost deletes.' })
export class DeletePostInput {
  @Field(() => ID, { description: 'A thread or a poll.' })
  postId: string;
}

@ObjectType('DeletePostPayload', { description: 'The result of deletePost.' })
export class DeletePostPayload {
  @Field(() => ID, { description: 'The global id of the post that was deleted; it names nothing from now on.' })
  deletedPostId: string;
}

@InputType('EditThreadInput', { description: 'What editThread changes; at least the id.' })
export class EditThreadInput {
  @Field(() => ID, { description: "The thread to edit (a poll's id: NOT_FOUND)." })
  threadId: string;

  @Field(() => String, {
    nullable: true,
    description: `The new title (1-${POST_TITLE_MAX.toLocaleString('en-US')} characters); omitted or null: unchanged.`,
  })
  title?: string | null;

  @Field(() => String, {
    nullable: true,
    description: `The new body (1-${THREAD_BODY_MAX.toLocaleString('en-US')} characters); omitted or null: unchanged.`,
  })
  body?: string | null;

  @Field(() => [String], {
    nullable: true,
    description:
      "Replaces the thread's topics (names, as in createThread: unknown topics are created, at most 10); [] removes them all; " +
      "omitted or null: unchanged. Topics' postCount follows at once.",
  })
  topics?: string[] | null;
}

@ObjectType('EditThreadPayload', { description: 'The result of editThread.' })
export class EditThreadPayload {
  @Field(() => Thread, { description: 'The thread after the edit.' })
  thread: Post;
}
