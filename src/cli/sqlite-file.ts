/**
 * A SQLite file as the backup and restore commands see it: a connection of
 * their own (never the server's), promisified, and the check that says a file
 * is a whole, readable database of this server.
 */
import sqlite3 from 'sqlite3';

/** How long a statement waits for another process's lock, as the server does. */
export const BUSY_TIMEOUT_MS = 5000;

export class SqliteFile {
  private constructor(
    readonly file: string,
    private readonly db: sqlite3.Database,
  ) {}

  static open(file: string, mode: number): Promise<SqliteFile> {
    return new Promise((resolve, reject) => {
      const db: sqlite3.Database = new sqlite3.Database(file, mode, (error) => {
        if (error) return reject(error);
        db.configure('busyTimeout', BUSY_TIMEOUT_MS);
        resolve(new SqliteFile(file, db));
      });
    });
  }

  /** The raw connection, for sqlite3's backup API. */
  get connection(): sqlite3.Database {
    return this.db;
  }

  all<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return new Promise((resolve, reject) => this.db.all(sql, params, (error, rows) => (error ? reject(error) : resolve(rows as T[]))));
  }

  run(sql: string, params: unknown[] = []): Promise<void> {
    return new Promise((resolve, reject) => this.db.run(sql, params, (error) => (error ? reject(error) : resolve())));
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => this.db.close((error) => (error ? reject(error) : resolve())));
  }
}

/** Rows per table: what a backup holds, and what a restore must hold after. */
export type TableCounts = Record<string, number>;

/**
 * Checks that `db` is whole (PRAGMA integrity_check) and a database of this server (it has
 * TypeORM's migrations table and members, posts and comments), and counts the rows of every
 * table. Throws a message saying what is wrong.
 */
export async function verifyDatabase(db: SqliteFile): Promise<TableCounts> {
  const integrity = await db.all<{ integrity_check: string }>('PRAGMA integrity_check');
  if (integrity.length !== 1 || integrity[0].integrity_check !== 'ok') {
    throw new Error(`${db.file} failed PRAGMA integrity_check: ${integrity.map((row) => row.integrity_check).join('; ')}`);
  }
  const tables = (await db.all<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)).map(
    (row) => row.name,
  );
  for (const needed of ['migrations', 'members', 'posts', 'comments']) {
    if (!tables.includes(needed)) throw new Error(`${db.file} is not a database of this server (no "${needed}" table)`);
  }
  const counts: TableCounts = {};
  for (const table of tables) {
    const [row] = await db.all<{ n: number }>(`SELECT COUNT(*) AS n FROM "${table.replace(/"/g, '""')}"`);
    counts[table] = row.n;
  }
  return counts;
}

/** "members 12, posts 40, comments 913": the figures a person checks. */
export function summary(counts: TableCounts): string {
  return ['members', 'posts', 'comments', 'poll_votes', 'upvotes']
    .filter((table) => table in counts)
    .map((table) => `${table} ${counts[table]}`)
    .join(', ');
}
