import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Field, Int, ObjectType } from 'type-graphql';
import { counterColumn } from '../../db/columns';
import { toGlobalId } from '../../graphql/global-id';
import { Node } from '../../graphql/node';

@Entity('poll_options')
@Index('uq_poll_options_position', ['pollId', 'position'], { unique: true })
@ObjectType('PollOption', { implements: Node, description: 'One answer a poll offers.' })
export class PollOption {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column({ name: 'poll_id', type: 'integer' })
  pollId: number;

  @Field(() => String, { description: 'The answer as shown to voters.' })
  @Column({ type: 'varchar', length: 800 })
  label: string;

  @Field(() => Int, { description: '0-based order within the poll.' })
  @Column({ type: 'integer' })
  position: number;

  /** Kept in the same transaction as the poll_votes rows it counts. */
  @Column(counterColumn('vote_count'))
  voteCount: number;

  get globalId(): string {
    return toGlobalId('PollOption', this.id);
  }

  get typeName(): string {
    return 'PollOption';
  }
}
