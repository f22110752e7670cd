/**
 * The moderation log's writes: every moderation change records its entry inside its own
 * transaction, so the log holds exactly the changes that took effect. Reads (moderationLog) are
 * added by the moderation work that lists them.
 */
import type { EntityManager } from 'typeorm';
import type { Database } from '../../db/database';
import type { DomainEvent } from '../events';
import { ModerationLogEntry } from './moderation-log.entity';

export type NewLogEntry = Pick<ModerationLogEntry, 'action' | 'subjectType' | 'subjectId' | 'moderatorId'> &
  Partial<Pick<ModerationLogEntry, 'reason' | 'note' | 'role' | 'suspendedUntil' | 'resolution'>>;

export class ModerationLogService {
  constructor(private readonly db: Database<DomainEvent>) {}

  /** Appends one entry, inside the caller's transaction (the change it records). */
  async record(manager: EntityManager, entry: NewLogEntry, now = new Date()): Promise<ModerationLogEntry> {
    const row = manager.getRepository(ModerationLogEntry).create({
      reason: null,
      note: null,
      role: null,
      suspendedUntil: null,
      resolution: null,
      ...entry,
      createdAt: now,
    });
    await manager.getRepository(ModerationLogEntry).insert(row);
    return row;
  }
}
