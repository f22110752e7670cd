/**
 * Prepared statements kept per SQLite reader connection.
 *
 * Why: sqlite3's `Database#all` prepares a new statement for every call and
 * finalizes it afterwards: three trips through libuv's thread pool and the
 * statement's setup on the main thread, for SQL that TypeORM generates
 * again and again in the same few shapes (a thread page is 17 statements of
 * about a dozen texts). Here a SELECT whose text was seen before runs on the
 * statement prepared the first time: one trip (bind, step, done).
 *
 * Why it is safe:
 * - sqlite3 resets a statement before binding new parameters, and one that
 *   has run to its end holds no read transaction, so a kept statement never
 *   pins an old snapshot of the WAL: the next run sees the latest commit.
 * - A statement is used by one call at a time (sqlite3 queues calls on one
 *   statement), so concurrent reads of one text run one after another on it,
 *   as they would on the one connection anyway.
 * - Only statements that prepared without error are kept: until then (and
 *   for SQL that fails to prepare) calls take sqlite3's own path, which
 *   reports the error as before. A statement whose prepare failed would
 *   silently drop the calls queued on it.
 * - Before the connection closes (shutdown, a reopen after a failed
 *   ROLLBACK) every kept statement is finalized: SQLite refuses to close a
 *   connection with statements outstanding.
 * - On the writer connection (installed with `writes`), INSERT, UPDATE and
 *   DELETE run on kept statements too, through `run`, whose callback sees
 *   lastID and changes on the statement as on sqlite3's own path. A statement
 *   that ran to its end is not "in progress", so COMMIT and ROLLBACK are not
 *   held up by kept statements. A vote is a dozen statements in a row on the
 *   one writer: each trip through the thread pool saved is latency saved for
 *   every write queued behind it.
 * A statement that starts with WITH goes through `all` (TypeORM's runner sends everything but an
 * INSERT, UPDATE or DELETE there) and is kept like a SELECT; on the writer that includes a write
 * with a common table expression, whose RETURNING rows `all` gives back.
 * Transaction statements (BEGIN, COMMIT, ROLLBACK, SAVEPOINT), PRAGMAs and
 * anything else take sqlite3's own path.
 */
import type sqlite3 from 'sqlite3';
import type { DataSource } from 'typeorm';

type RowsCallback = (this: sqlite3.Statement, error: Error | null, rows: unknown[]) => void;

// WITH: what TypeORM's runner sends through `all` besides SELECT (a statement with a common table
// expression, e.g. an upsert whose RETURNING rows are wanted): prepared and kept alike.
const READ = /^\s*(?:SELECT|WITH)\b/i;
const WRITE = /^\s*(?:INSERT|UPDATE|DELETE)\b/i;

/** The sqlite3 connection under a data source (TypeORM's driver keeps it in a field of its own). */
export function sqliteConnectionOf(source: DataSource): sqlite3.Database {
  return (source.driver as unknown as { databaseConnection: sqlite3.Database }).databaseConnection;
}

/** The cache installed on each connection, so that whoever closes a connection can finalize its statements first. */
const installed = new WeakMap<sqlite3.Database, StatementCache>();

/** Kept statements per connection; the least recently used is finalized first. */
const MAX_STATEMENTS = 256;

export class StatementCache {
  private readonly statements = new Map<string, sqlite3.Statement>();
  /** Prepares in flight, by text: dispose waits for them (their statements are finalized, never kept). */
  private readonly preparing = new Map<string, Promise<void>>();
  private readonly uncachedAll: sqlite3.Database['all'];
  private readonly uncachedRun: sqlite3.Database['run'];
  private disposed = false;

  /**
   * Routes `connection.all` (SELECT) through the cache from now on, and with `writes` also
   * `connection.run` (INSERT, UPDATE, DELETE): the writer connection.
   */
  static install(connection: sqlite3.Database, options: { writes?: boolean } = {}): StatementCache {
    return installed.get(connection) ?? new StatementCache(connection, options.writes ?? false);
  }

  /** How many statements `connection` keeps now (0 without a cache). */
  static keptOn(connection: sqlite3.Database): number {
    return installed.get(connection)?.size ?? 0;
  }

  /** Finalizes the statements kept on `connection`, if any (before it is closed). */
  static async disposeOf(connection: sqlite3.Database): Promise<void> {
    await installed.get(connection)?.dispose();
  }

  private constructor(
    private readonly connection: sqlite3.Database,
    writes: boolean,
  ) {
    installed.set(connection, this);
    this.uncachedAll = connection.all;
    this.uncachedRun = connection.run;
    // TypeORM's SqliteQueryRunner calls all(sql, parameters, callback) for every statement that is
    // not an INSERT, UPDATE or DELETE, and run(sql, parameters, callback) for those.
    connection.all = this.routed(this.uncachedAll, READ, 'all') as sqlite3.Database['all'];
    if (writes) connection.run = this.routed(this.uncachedRun, WRITE, 'run') as sqlite3.Database['run'];
  }

  /** `method` of the connection, taking the kept statement for SQL that matches `kind`. */
  private routed(uncached: (...args: never[]) => unknown, kind: RegExp, method: 'all' | 'run') {
    const cached = (sql: string, parameters: unknown[], callback: RowsCallback) => this.run(sql, parameters, callback, kind, method);
    const original = uncached as (...args: unknown[]) => sqlite3.Database;
    return function (this: sqlite3.Database, sql: string, ...rest: unknown[]) {
      const [parameters, callback] = rest as [unknown[] | undefined, RowsCallback | undefined];
      if (rest.length === 2 && typeof callback === 'function' && cached(sql, parameters ?? [], callback)) return this;
      return original.call(this, sql, ...rest);
    };
  }

  get size(): number {
    return this.statements.size;
  }

  /** Finalizes every kept statement and restores sqlite3's own `all` (before the connection closes). */
  async dispose(): Promise<void> {
    if (installed.get(this.connection) === this) installed.delete(this.connection);
    this.disposed = true;
    this.connection.all = this.uncachedAll;
    this.connection.run = this.uncachedRun;
    await Promise.all(this.preparing.values());
    const kept = [...this.statements.values()];
    this.statements.clear();
    await Promise.all(kept.map((statement) => new Promise<void>((resolve) => statement.finalize(() => resolve()))));
  }

  /** Runs `sql` on its kept statement; false when it has none (yet), and the caller takes sqlite3's own path. */
  private run(sql: string, parameters: unknown[], callback: RowsCallback, kind: RegExp, method: 'all' | 'run'): boolean {
    if (this.disposed || !kind.test(sql)) return false;
    const statement = this.statements.get(sql);
    if (!statement) {
      this.prepare(sql);
      return false;
    }
    // Most recently used last: eviction takes the first.
    this.statements.delete(sql);
    this.statements.set(sql, statement);
    if (method === 'all') statement.all(parameters, callback);
    else statement.run(parameters, callback as unknown as (this: sqlite3.RunResult, error: Error | null) => void);
    return true;
  }

  private prepare(sql: string): void {
    if (this.preparing.has(sql)) return;
    let prepared = () => {};
    this.preparing.set(sql, new Promise<void>((resolve) => (prepared = resolve)));
    const statement = this.connection.prepare(sql, (error: Error | null) => {
      this.preparing.delete(sql);
      if (!error && this.disposed) statement.finalize(() => prepared());
      else prepared();
      if (!error && !this.disposed) this.keep(sql, statement);
    });
  }

  private keep(sql: string, statement: sqlite3.Statement): void {
    this.statements.set(sql, statement);
    while (this.statements.size > MAX_STATEMENTS) {
      const [oldestSql, oldest] = this.statements.entries().next().value as [string, sqlite3.Statement];
      this.statements.delete(oldestSql);
      // Queued behind any call still running on it.
      oldest.finalize();
    }
  }
}
