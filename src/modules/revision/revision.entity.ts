import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Field, Int, ObjectType } from 'type-graphql';
import { timestampColumn } from '../../db/columns';
import { toGlobalId } from '../../graphql/global-id';
import { Node } from '../../graphql/node';

/** What a revision is a version of: a post (thread or poll) or a comment. */
export type RevisionSubjectType = 'POST' | 'COMMENT';

/**
 * One version of a post's or comment's text. Version 1 is written with the
 * content itself, every edit that changes the text writes the next number in
 * the same transaction (under the post's row lock), so the versions of one
 * item are numbered 1, 2, 3, ... in commit order; the unique index is the
 * last line of defence against two writers taking one number.
 * `editor` and `optionLabels` (parsed from its JSON column) are field
 * resolvers (revision.resolver.ts).
 */
@Entity('revisions')
@Index('uq_revisions_subject_number', ['subjectType', 'subjectId', 'number'], { unique: true })
@ObjectType('Revision', { implements: Node, description: "One version of a thread's, poll's or comment's text." })
export class Revision {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column({ name: 'subject_type', type: 'varchar', length: 16 })
  subjectType: RevisionSubjectType;

  @Column({ name: 'subject_id', type: 'integer' })
  subjectId: number;

  /** 1 for the text as first posted, then 2, 3, ... */
  @Field(() => Int, { description: '1 for the text as first posted, then 2, 3, ... in the order of the edits.' })
  @Column({ type: 'integer' })
  number: number;

  /** The author (only authors edit); resolved through the member, so a deleted account shows the stand-in. */
  @Column({ name: 'editor_id', type: 'integer' })
  editorId: number;

  @Field(() => Date, { description: 'When this version was written: the creation time for number 1, the time of the edit otherwise.' })
  @Column(timestampColumn('created_at'))
  createdAt: Date;

  /** The post's title in this version; null for comments. */
  @Field(() => String, { nullable: true, description: "The thread's or poll's title in this version; null for a comment." })
  @Column({ type: 'varchar', length: 1200, nullable: true })
  title: string | null;

  /** The thread's body, the poll's description (null when none) or the comment's body. */
  @Field(() => String, {
    nullable: true,
    description: "The thread's body, the poll's description (null when it had none) or the comment's body, in this version.",
  })
  @Column({ type: 'text', nullable: true })
  body: string | null;

  /** A poll's option labels in display order, as a JSON array; null for threads and comments. */
  @Column({ name: 'option_labels', type: 'text', nullable: true })
  optionLabels: string | null;

  get globalId(): string {
    return toGlobalId('Revision', this.id);
  }

  get typeName(): string {
    return 'Revision';
  }
}
