/**
 * Revisions: every version of a post's or comment's text, kept in the
 * revisions table. Writers call `record` inside their own transaction, after
 * taking the post's row lock, so versions are numbered in commit order.
 */
import type { EntityManager } from 'typeorm';
import type { Database } from '../../db/database';
import type { DomainEvent } from '../events';
import { Revision, RevisionSubjectType } from './revision.entity';

/** A version's text: what a Revision shows. */
export interface RevisionText {
  title: string | null;
  body: string | null;
  optionLabels: readonly string[] | null;
}

export interface RevisionSubject {
  type: RevisionSubjectType;
  id: number;
}

export class RevisionService {
  constructor(private readonly db: Database<DomainEvent>) {}

  /**
   * Writes the next version of `subject` (1 for new content), inside the caller's transaction.
   * The caller holds the post's row lock, so no other writer numbers a version of it meanwhile.
   */
  async record(manager: EntityManager, subject: RevisionSubject, editorId: number, createdAt: Date, text: RevisionText): Promise<Revision> {
    return this.insert(manager, subject, (await this.latestNumber(manager, subject)) + 1, editorId, createdAt, text);
  }

  /** Version 1 of new content, written in the transaction that creates it. */
  recordFirst(manager: EntityManager, subject: RevisionSubject, editorId: number, createdAt: Date, text: RevisionText): Promise<Revision> {
    return this.insert(manager, subject, 1, editorId, createdAt, text);
  }

  private async latestNumber(manager: EntityManager, subject: RevisionSubject): Promise<number> {
    const { latest } = (await manager
      .getRepository(Revision)
      .createQueryBuilder('r')
      .select('MAX(r.number)', 'latest')
      .where('r.subject_type = :type AND r.subject_id = :id', subject)
      .getRawOne<{ latest: number | string | null }>()) ?? { latest: null };
    return Number(latest ?? 0);
  }

  private async insert(
    manager: EntityManager,
    subject: RevisionSubject,
    number: number,
    editorId: number,
    createdAt: Date,
    text: RevisionText,
  ): Promise<Revision> {
    const revision = manager.getRepository(Revision).create({
      subjectType: subject.type,
      subjectId: subject.id,
      number,
      editorId,
      createdAt,
      title: text.title,
      body: text.body,
      optionLabels: text.optionLabels === null ? null : JSON.stringify(text.optionLabels),
    });
    await manager.getRepository(Revision).insert(revision);
    return revision;
  }
}
