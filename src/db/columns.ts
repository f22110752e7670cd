/**
 * Column helpers shared by the entities.
 *
 * Timestamps are stored as epoch milliseconds in a BIGINT on every dialect:
 * comparisons, keyset cursors and the trending score's age arithmetic are
 * then the same SQL on SQLite and PostgreSQL (no date functions in queries),
 * and ordering never depends on a driver's date parsing.
 */
import { ColumnOptions, ValueTransformer } from 'typeorm';

export const epochMillis: ValueTransformer = {
  to: (value: Date | number | null | undefined) => (value === null || value === undefined ? value : value instanceof Date ? value.getTime() : value),
  // pg returns BIGINT as a string; sqlite3 as a number.
  from: (value: string | number | null) => (value === null || value === undefined ? null : new Date(Number(value))),
};

export function timestampColumn(name: string, options: Partial<ColumnOptions> = {}): ColumnOptions {
  return { name, type: 'bigint', transformer: epochMillis, ...options };
}

export function counterColumn(name: string): ColumnOptions {
  return { name, type: 'integer', default: 0 };
}
