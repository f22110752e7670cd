import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { Field, Int, ObjectType } from 'type-graphql';
import { counterColumn } from '../../db/columns';
import { toGlobalId } from '../../graphql/global-id';
import { Node } from '../../graphql/node';

@Entity('topics')
@ObjectType('Topic', { implements: Node, description: 'A subject posts are filed under, e.g. "Remote Work".' })
export class Topic {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Field(() => String, { description: 'URL-safe key derived from the name, e.g. "remote-work" for "Remote Work".' })
  @Column({ type: 'varchar', length: 120, unique: true })
  slug: string;

  @Field(() => String, { description: 'Display name, as first written by a member.' })
  @Column({ type: 'varchar', length: 200 })
  name: string;

  /** Kept in the same transaction as the post_topics rows it counts. */
  @Field(() => Int, { description: 'Posts filed under this topic.' })
  @Column(counterColumn('post_count'))
  postCount: number;

  get globalId(): string {
    return toGlobalId('Topic', this.id);
  }

  get typeName(): string {
    return 'Topic';
  }
}

/** Which topics a post is filed under. */
@Entity('post_topics')
@Index('idx_post_topics_topic', ['topicId', 'postId'])
export class PostTopic {
  @PrimaryColumn({ name: 'post_id', type: 'integer' })
  postId: number;

  @PrimaryColumn({ name: 'topic_id', type: 'integer' })
  topicId: number;
}
