/**
 * `npm run backup -- <file>`: a consistent copy of the SQLite database while
 * the server runs.
 *
 * VACUUM INTO copies one snapshot of the database, as of the moment its read
 * transaction begins: every write acknowledged before the command started is in
 * it, no half of a later one is. In WAL mode (the server's) a reader takes no
 * lock that writers wait for, so the server's writes go on during the copy;
 * and unlike the stepped online-backup API it never restarts when the server
 * writes meanwhile, so it finishes under any write load. The copy is written
 * beside the target under a temporary name, opened and verified
 * (integrity_check, this server's tables, row counts), synced, and only then
 * renamed into place: a backup file under the target name is always whole.
 */
import fs from 'node:fs';
import path from 'node:path';
import sqlite3 from 'sqlite3';
import { Refusal, runCommand, sqliteDatabase } from './command';
import { SqliteFile, summary, verifyDatabase } from './sqlite-file';

const USAGE = 'usage: npm run backup -- <backup file>   (a new file; its folder is created)';

function checkTarget(source: string, target: string): void {
  if ([source, `${source}-wal`, `${source}-shm`, `${source}-journal`].includes(target)) {
    throw new Refusal(`${target} is the live database (or one of its files); choose another backup file.`);
  }
  for (const file of [target, `${target}-wal`, `${target}-journal`]) {
    if (fs.existsSync(file)) throw new Refusal(`${file} already exists; choose a new name (e.g. with the date) or remove it.`);
  }
}

/** fsync a file or a folder (the rename), so the backup survives a power loss once reported. */
function sync(file: string): void {
  const fd = fs.openSync(file, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

async function backup(args: string[]): Promise<string> {
  if (args.length !== 1 || args[0].startsWith('-')) throw new Refusal(USAGE);
  const { path: source } = sqliteDatabase('backup');
  const target = path.resolve(args[0]);
  if (!fs.existsSync(source)) throw new Refusal(`there is no database at ${source} (DATABASE_URL); nothing to back up.`);
  checkTarget(source, target);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const partial = `${target}.partial-${process.pid}`;
  const started = Date.now();
  try {
    // Read-write only because a WAL database's readers share its -shm index; nothing is written.
    const db = await SqliteFile.open(source, sqlite3.OPEN_READWRITE);
    try {
      await db.run('VACUUM INTO ?', [partial]);
    } finally {
      await db.close();
    }
    const copied = Date.now() - started;
    const copy = await SqliteFile.open(partial, sqlite3.OPEN_READONLY);
    let counts;
    try {
      counts = await verifyDatabase(copy);
    } finally {
      await copy.close();
    }
    sync(partial);
    fs.renameSync(partial, target);
    sync(path.dirname(target));
    const bytes = fs.statSync(target).size;
    return `backup written to ${target}: ${summary(counts)}; integrity ok; ${bytes} bytes; snapshot copied in ${copied} ms, verified in ${Date.now() - started - copied} ms.`;
  } finally {
    fs.rmSync(partial, { force: true });
  }
}

runCommand('backup', () => backup(process.argv.slice(2)));
