import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { timestampColumn } from '../../db/columns';

/** What a revision is a version of: a post (thread or poll) or a comment. */
export type RevisionSubjectType = 'POST' | 'COMMENT';

/**
 * One version of a post's or comment's text. Version 1 is written with the
 * content itself, every edit that changes the text writes the next number in
 * the same transaction (under the post's row lock), so the versions of one
 * item are numbered 1, 2, 3, ... in commit order; the unique index is the
 * last line of defence against two writers taking one number.
 */
@Entity('revisions')
@Index('uq_revisions_subject_number', ['subjectType', 'subjectId', 'number'], { unique: true })
export class Revision {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column({ name: 'subject_type', type: 'varchar', length: 16 })
  subjectType: RevisionSubjectType;

  @Column({ name: 'subject_id', type: 'integer' })
  subjectId: number;

  /** 1 for the text as first posted, then 2, 3, ... */
  @Column({ type: 'integer' })
  number: number;

  /** The author (only authors edit); resolved through the member, so a deleted account shows the stand-in. */
  @Column({ name: 'editor_id', type: 'integer' })
  editorId: number;

  @Column(timestampColumn('created_at'))
  createdAt: Date;

  /** The post's title in this version; null for comments. */
  @Column({ type: 'varchar', length: 1200, nullable: true })
  title: string | null;

  /** The thread's body, the poll's description (null when none) or the comment's body. */
  @Column({ type: 'text', nullable: true })
  body: string | null;

  /** A poll's option labels in display order, as a JSON array; null for threads and comments. */
  @Column({ name: 'option_labels', type: 'text', nullable: true })
  optionLabels: string | null;
}
