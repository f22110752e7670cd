/**
 * The dialect seam: the few statements whose SQL or result shape differs
 * between SQLite and PostgreSQL. Everything else uses TypeORM's query
 * builder, which is portable. Keep this file small.
 */
import { EntityManager, ObjectLiteral, QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';

/**
 * INSERT ... ON CONFLICT DO NOTHING (both dialects accept it) and report
 * whether a row was inserted. TypeORM's InsertResult cannot be trusted for
 * that on SQLite (it reports the previous row id, see PITFALLS), so we read
 * the driver's change count (SQLite) or a RETURNING row (PostgreSQL).
 * Only a unique constraint makes "once per member" true under concurrency.
 * `row` names the entity's properties: the table, the column names and the
 * values' conversions (e.g. a Date to epoch milliseconds) come from the
 * entity's metadata, so a renamed column cannot go unnoticed here.
 */
export async function insertIgnoringDuplicate<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: new () => T,
  row: Partial<NoInfer<T>>,
): Promise<boolean> {
  const metadata = manager.connection.getMetadata(entity);
  const driver = manager.connection.driver;
  const isPostgres = manager.connection.options.type === 'postgres';
  const columns = Object.keys(row).map((property) => {
    const column = metadata.findColumnWithPropertyName(property);
    if (!column) throw new Error(`${metadata.name} has no column for the property ${property}`);
    return column;
  });
  const values = Object.fromEntries(columns.map((column) => [column.propertyName, driver.preparePersistentValue(row[column.propertyName], column)]));
  // TypeORM's SQLite runner picks run() (which reports changes) only for statements starting "INSERT ".
  const sql =
    `INSERT INTO ${driver.escape(metadata.tableName)} (${columns.map((column) => driver.escape(column.databaseName)).join(', ')}) ` +
    `VALUES (${columns.map((column) => `:${column.propertyName}`).join(', ')}) ON CONFLICT DO NOTHING` +
    (isPostgres ? ' RETURNING 1 AS inserted' : '');
  const [query, parameters] = driver.escapeQueryWithParameters(sql, values, {});
  const runner = manager.queryRunner;
  if (!runner) throw new Error('insertIgnoringDuplicate must run inside a unit of work (Database.write)');
  const result = await runner.query(query, parameters, true);
  return isPostgres ? (result.records?.length ?? 0) > 0 : (result.affected ?? 0) > 0;
}

/** Number of rows an UPDATE or DELETE run through the query builder changed. */
export function affectedRows(result: { affected?: number | null }): number {
  return result.affected ?? 0;
}

/** A transaction that lost a deadlock (40P01) or serialization (40001) race: safe to run again. */
export function isRetryableConflict(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } };
  const code = e?.driverError?.code ?? e?.code;
  return code === '40P01' || code === '40001';
}

/** Unique-constraint violations, for mapping a lost race onto its domain outcome. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string; errno?: number }; message?: string };
  const code = e?.driverError?.code ?? e?.code;
  if (code === '23505') return true; // PostgreSQL unique_violation
  if (code === 'SQLITE_CONSTRAINT') return /UNIQUE|PRIMARY KEY/i.test(e.message ?? '');
  return false;
}

/**
 * Errors that mean "the database cannot serve right now" rather than "this
 * request is wrong": the client gets SERVICE_UNAVAILABLE and may retry.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } };
  const code = e?.driverError?.code ?? e?.code ?? '';
  return (
    ['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_CANTOPEN', 'SQLITE_IOERR', 'SQLITE_FULL', 'SQLITE_READONLY'].includes(code) ||
    // TypeORM releases a PostgreSQL query runner whose connection emitted an error (server restarted,
    // connection terminated): the request's next statement on it fails with this.
    error instanceof QueryRunnerAlreadyReleasedError ||
    // The same, when the statement goes through EntityManager.query (lockRowForUpdate does).
    error instanceof QueryRunnerProviderAlreadyReleasedError ||
    // PostgreSQL: connection refused/reset, admin shutdown, connection exceptions (class 08).
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', '57P01', '57P02', '57P03', '53300'].includes(code) ||
    code.startsWith('08') ||
    // node-postgres: no connection within connectionTimeoutMillis, or the server went away mid-query.
    /timeout exceeded when trying to connect|Connection terminated|Client has encountered a connection error|Client was closed and is not queryable|terminating connection/i.test(
      (error as Error)?.message ?? '',
    )
  );
}

/**
 * Locks one row of `entity` (by primary key) for the rest of the transaction
 * (PostgreSQL: SELECT ... FOR UPDATE), so decisions that read before they
 * write cannot interleave with another transaction's on the same row.
 * SQLite needs nothing: its units of work never overlap.
 */
export async function lockRowForUpdate(manager: EntityManager, entity: new () => ObjectLiteral, id: number): Promise<void> {
  if (manager.connection.options.type !== 'postgres') return;
  const metadata = manager.connection.getMetadata(entity);
  const [key] = metadata.primaryColumns;
  const escape = (name: string) => manager.connection.driver.escape(name);
  await manager.query(`SELECT ${escape(key.databaseName)} FROM ${escape(metadata.tableName)} WHERE ${escape(key.databaseName)} = $1 FOR UPDATE`, [id]);
}

/**
 * The `lock` option of a TypeORM find that locks the rows it reads for the rest of the transaction
 * (PostgreSQL: FOR UPDATE), as lockRowForUpdate does, in the same statement as the read. SQLite
 * needs nothing (its units of work never overlap) and TypeORM refuses the option there.
 */
export function rowLockFor(manager: EntityManager): { mode: 'pessimistic_write' } | undefined {
  return manager.connection.options.type === 'postgres' ? { mode: 'pessimistic_write' } : undefined;
}

/**
 * Serializes the transactions that call it with the same `key` until they end (PostgreSQL: a
 * transaction-level advisory lock), for appends that number rows in commit order across the whole
 * table (the moderation queue's changes). SQLite needs nothing: its units of work never overlap.
 */
export async function serializeAppends(manager: EntityManager, key: number): Promise<void> {
  if (manager.connection.options.type !== 'postgres') return;
  await manager.query('SELECT pg_advisory_xact_lock($1)', [key]);
}
