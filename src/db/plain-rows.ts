/**
 * Plain-row reads: SQL text written once, rows turned into entities straight from their columns.
 *
 * Why: on the thread page (a cold read of 17 statements) TypeORM's query building and its entity
 * transformer were the largest share of the main thread's CPU: every `createQueryBuilder(...)
 * .getMany()` builds its SQL again, selects every column under a generated alias, and hydrates
 * through the general transformer (relations, embeddeds, primary-key bookkeeping) for tables that
 * have none. The statements of the hot paths say their SQL once and hydrate with the columns'
 * own conversions instead.
 *
 * What stays as TypeORM does it:
 * - Every column of the entity is read (from its metadata, so a column added later is read too),
 *   but those a caller leaves out on purpose (a member's credentials).
 * - Each value goes through the driver's and the column's own conversion
 *   (`prepareHydratedValue`: epoch milliseconds to a Date, PostgreSQL's BIGINT strings), and the
 *   result is an instance of the entity class (`instanceof` and getters keep working).
 * - Parameters are named (`:id`, `:...ids`) and bound by the driver's own
 *   `escapeQueryWithParameters`: `?` on SQLite (with numbers bound and lists padded, see
 *   sqlite-parameters.ts, so the texts repeat), `$1` on PostgreSQL.
 * - The statement goes through the manager's query runner: it is logged and counted like any other.
 */
import type { DataSource, EntityManager, EntityMetadata, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/** An entity's columns as one alias of a statement selects them, and how a row of it becomes an instance. */
export interface PlainSelection<T> {
  /** `alias.column AS "alias_column", ...` for every column read, quoted for the dialect (no name clashes in joins). */
  columns: string;
  /** One row of a statement that selected `columns` as an entity instance. */
  hydrate(row: Record<string, unknown>): T;
  /** Whether the row holds this alias's entity (false for the null side of an outer join). */
  present(row: Record<string, unknown>): boolean;
}

/** How an entity's rows are selected and hydrated on one data source. */
export interface PlainEntity<T> {
  /** The quoted table name. */
  table: string;
  /** The selection under `alias` (built once per alias). */
  as(alias: string): PlainSelection<T>;
}

const entities = new WeakMap<DataSource, Map<string, PlainEntity<ObjectLiteral>>>();

/** The plain-row reading of `entity` (every column but the properties in `omit`), built once per data source. */
export function plainEntity<T extends ObjectLiteral>(manager: EntityManager, entity: new () => T, omit: ReadonlySet<string> = new Set()): PlainEntity<T> {
  let byEntity = entities.get(manager.connection);
  if (!byEntity) entities.set(manager.connection, (byEntity = new Map()));
  const key = `${entity.name}:${[...omit].sort().join(',')}`;
  const known = byEntity.get(key);
  if (known) return known as PlainEntity<T>;
  const built = buildPlainEntity<T>(manager.connection, manager.connection.getMetadata(entity), omit);
  byEntity.set(key, built);
  return built;
}

function buildPlainEntity<T>(source: DataSource, metadata: EntityMetadata, omit: ReadonlySet<string>): PlainEntity<T> {
  const { driver } = source;
  // As TypeORM's own reads: columns marked `select: false` are left out too.
  const read: ColumnMetadata[] = metadata.columns.filter((column) => column.isSelect && !omit.has(column.propertyName));
  const [primary] = metadata.primaryColumns;
  const selections = new Map<string, PlainSelection<T>>();
  const selection = (alias: string): PlainSelection<T> => {
    const keys = read.map((column) => `${alias}_${column.databaseName}`);
    const primaryKey = `${alias}_${primary.databaseName}`;
    return {
      columns: read.map((column, index) => `${alias}.${driver.escape(column.databaseName)} AS ${driver.escape(keys[index])}`).join(', '),
      hydrate(row) {
        const instance = metadata.create(undefined, { fromDeserializer: true }) as ObjectLiteral;
        read.forEach((column, index) => column.setEntityValue(instance, driver.prepareHydratedValue(row[keys[index]], column)));
        return instance as T;
      },
      present: (row) => row[primaryKey] !== null && row[primaryKey] !== undefined,
    };
  };
  return {
    table: driver.escape(metadata.tableName),
    as(alias) {
      let known = selections.get(alias);
      if (!known) selections.set(alias, (known = selection(alias)));
      return known;
    },
  };
}

/**
 * Runs `sql`, whose parameters are named (`:name`, lists `:...name`), on `manager`'s connection and
 * returns its rows as the driver gives them.
 */
export function plainRows(manager: EntityManager, sql: string, parameters: Record<string, unknown>): Promise<Array<Record<string, unknown>>> {
  const [text, bound] = manager.connection.driver.escapeQueryWithParameters(sql, parameters, {});
  return manager.query(text, bound);
}
