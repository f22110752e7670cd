/**
 * `npm run restore -- <backup file>`: replaces the database of a stopped
 * server (DATABASE_URL) with a backup, creating the file and its folder if
 * missing.
 *
 * Refused while anything has the target open. The check is SQLite's own: a
 * WAL database (the server's) can only leave WAL mode when no other connection
 * has it open, because every connection keeps a shared lock on it for as long
 * as it is open (idle or not). So the command switches the target to
 * journal_mode=DELETE (which also checkpoints a -wal left by a crash into it
 * and removes it, so no stale -wal can later be replayed onto the restored
 * pages), then takes and keeps the exclusive lock (locking_mode=EXCLUSIVE): a
 * server started meanwhile waits and fails instead of reading a half-restored
 * file. The pages are copied by SQLite's online-backup API into that locked
 * connection, in one journaled transaction: a failure leaves the old database.
 * The backup is verified first and the target after (integrity_check, the same
 * row count in every table). The server switches the file back to WAL on start.
 */
import fs from 'node:fs';
import path from 'node:path';
import sqlite3 from 'sqlite3';
import { Refusal, runCommand, sqliteDatabase } from './command';
import { SqliteFile, summary, TableCounts, verifyDatabase } from './sqlite-file';

const USAGE = 'usage: npm run restore -- <backup file>   (into DATABASE_URL; stop the server first)';

/** sqlite3's Backup object (its typings leave it out). */
interface Backup {
  step(pages: number, callback: (error: Error | null) => void): void;
  finish(callback?: (error: Error | null) => void): void;
  readonly completed: boolean;
  readonly failed: boolean;
}
type BackupInto = (source: string, destName: string, sourceName: string, filenameIsDest: false, callback: (error: Error | null) => void) => Backup;

async function verifiedBackup(file: string): Promise<TableCounts> {
  if (!fs.existsSync(file)) throw new Refusal(`${file} does not exist.`);
  const db = await SqliteFile.open(file, sqlite3.OPEN_READONLY);
  try {
    return await verifyDatabase(db);
  } catch (error) {
    throw new Refusal(`${file} is not a usable backup: ${(error as Error).message}`);
  } finally {
    await db.close();
  }
}

/** Refuses unless this connection is the only one on the target, then keeps the target locked until it closes. */
async function lockTarget(db: SqliteFile): Promise<void> {
  const inUse = () => new Refusal(`${db.file} is open in another process (a running server?): stop the server, then restore.`);
  let mode: string | undefined;
  try {
    [{ journal_mode: mode }] = await db.all<{ journal_mode: string }>('PRAGMA journal_mode = DELETE');
    await db.run('PRAGMA locking_mode = EXCLUSIVE');
    await db.run('BEGIN EXCLUSIVE');
    await db.run('COMMIT');
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') throw inUse();
    throw new Refusal(`cannot restore into ${db.file}: ${(error as Error).message}`);
  }
  if (mode !== 'delete') throw inUse();
}

function copyPages(target: SqliteFile, source: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const backupInto = (target.connection as unknown as { backup: BackupInto }).backup;
    const backup = backupInto.call(target.connection, source, 'main', 'main', false, (opened) => {
      if (opened) return reject(opened);
      // All pages in one step: one transaction on the target, nothing half-copied on failure.
      backup.step(-1, (error) => {
        const failed = error ?? (backup.completed ? null : new Error('the copy did not complete'));
        backup.finish(() => (failed ? reject(failed) : resolve()));
      });
    });
  });
}

async function restore(args: string[]): Promise<string> {
  if (args.length !== 1 || args[0].startsWith('-')) throw new Refusal(USAGE);
  const { path: target } = sqliteDatabase('restore');
  const source = path.resolve(args[0]);
  if (source === target) throw new Refusal(`${source} is DATABASE_URL itself.`);
  const started = Date.now();
  const expected = await verifiedBackup(source);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const db = await SqliteFile.open(target, sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE);
  try {
    await lockTarget(db);
    await copyPages(db, source);
    const restored = await verifyDatabase(db);
    if (JSON.stringify(restored) !== JSON.stringify(expected)) {
      throw new Error(`row counts differ after the copy: backup ${JSON.stringify(expected)}, restored ${JSON.stringify(restored)}`);
    }
  } finally {
    await db.close();
  }
  return `restored ${source} into ${target}: ${summary(expected)}; integrity ok; ${Date.now() - started} ms. Start the server.`;
}

runCommand('restore', () => restore(process.argv.slice(2)));
