/**
 * Numbers bound as parameters on SQLite, not written into the SQL text.
 *
 * Why: TypeORM's SQLite driver writes a numeric parameter into the statement as a literal
 * (`WHERE "id" = 2`), so every id made a statement text of its own: SQLite parsed and planned
 * each statement afresh, and the statement caches (./statement-cache.ts) kept texts that never
 * came again, evicting those that would. Bound like every other value (`WHERE "id" = ?`), a
 * vote's dozen statements are the same few texts for every vote and every poll.
 *
 * Lists (`IN (:...ids)`, the only way this code and TypeORM spread a parameter) are padded to the
 * next power of two by repeating their last element, which changes no IN or NOT IN test: the
 * bylines of 13 authors and of 14 are one statement text, not two.
 *
 * The rest is TypeORM's own `escapeQueryWithParameters` (typeorm/driver/sqlite-abstract), kept
 * as it is: booleans as 1 or 0, dates in TypeORM's UTC format, arrays spread one parameter per
 * element, a function's result written as SQL. The order of the bound values is the order of
 * their placeholders.
 */
import type { DataSource } from 'typeorm';
import { DateUtils } from 'typeorm/util/DateUtils';

type Parameters = Record<string, unknown>;

interface SqliteDriverParameters {
  createParameter(name: string, index: number): string;
  escapeQueryWithParameters(sql: string, parameters: Parameters, nativeParameters: Parameters): [string, unknown[]];
}

const PLACEHOLDER = /:(\.\.\.)?([A-Za-z0-9_.]+)/g;
/** Lists longer than this are bound as they are (SQLite allows 32,766 parameters per statement). */
const MAX_PADDED_LIST = 1024;

/** `list` padded to the next power of two with its last element; as it is when empty or long. */
function paddedList(list: readonly unknown[]): readonly unknown[] {
  if (list.length === 0 || list.length > MAX_PADDED_LIST) return list;
  let size = 1;
  while (size < list.length) size *= 2;
  return size === list.length ? list : [...list, ...Array<unknown>(size - list.length).fill(list[list.length - 1])];
}

function boundValue(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return DateUtils.mixedDateToUtcDatetimeString(value);
  return value;
}

/** Makes the SQLite driver of `source` bind numeric parameters (call once, right after constructing the data source). */
export function bindNumericParameters(source: DataSource): void {
  if (source.options.type !== 'sqlite') return;
  const driver = source.driver as unknown as SqliteDriverParameters;
  driver.escapeQueryWithParameters = (sql, parameters, nativeParameters) => {
    const bound = Object.keys(nativeParameters).map((key) => boundValue(nativeParameters[key]));
    if (!parameters || Object.keys(parameters).length === 0) return [sql, bound];
    const bind = (key: string, value: unknown) => {
      bound.push(value);
      return driver.createParameter(key, bound.length - 1);
    };
    const text = sql.replace(PLACEHOLDER, (full: string, spread: string | undefined, key: string) => {
      if (!Object.prototype.hasOwnProperty.call(parameters, key)) return full;
      const value = parameters[key];
      // As TypeORM, the elements of a spread list are bound as they are; padded, see above.
      if (spread)
        return paddedList(value as unknown[])
          .map((each) => bind(key, each))
          .join(', ');
      if (typeof value === 'function') return String((value as () => unknown)());
      return bind(key, boundValue(value));
    });
    return [text, bound];
  };
}
