/**
 * Relay cursor connections.
 *
 * Cursors are opaque base64url JSON of the sort key of a row under one named
 * order, e.g. {"o":"NEWEST","k":[1764100000000,42]}. The last key is always
 * a unique tie-breaker (an id or a sequence number), so keyset pagination
 * ("rows after this key") never repeats or skips a row whose key has not
 * changed. A cursor of one order is refused by another.
 */
import { Field, ObjectType } from 'type-graphql';
import { BadUserInputError } from './errors';

/** `first` of a list: at most this many rows per page, and this many when omitted. */
export const PAGE_SIZE_MAX = 100;
export const PAGE_SIZE_DEFAULT = 20;

export type CursorKey = ReadonlyArray<number>;

export function encodeCursor(order: string, key: CursorKey): string {
  return Buffer.from(JSON.stringify({ o: order, k: key }), 'utf8').toString('base64url');
}

/**
 * What each slot of a cursor key must hold, so that a forged cursor is refused as malformed rather
 * than failing its query: `int32` an integer that fits the 32-bit INTEGER columns it is compared
 * with (ids, counters, sequence numbers: PostgreSQL fails a comparison with a larger one, where
 * SQLite would find no row), `time` milliseconds since the epoch that a Date can hold, `number` any
 * finite number (scores computed in SQL).
 */
export type CursorSlot = 'int32' | 'time' | 'number';

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
/** ECMAScript's range of a Date: ±100,000,000 days from the epoch. */
const TIME_MAX_MS = 8.64e15;

function fitsSlot(part: unknown, slot: CursorSlot): boolean {
  if (typeof part !== 'number' || !Number.isFinite(part)) return false;
  switch (slot) {
    case 'int32':
      return Number.isInteger(part) && part >= INT32_MIN && part <= INT32_MAX;
    case 'time':
      return Number.isInteger(part) && Math.abs(part) <= TIME_MAX_MS;
    case 'number':
      return true;
  }
}

/** The key of `cursor`, or BAD_USER_INPUT on `field` when it is not a cursor of this order and shape. */
export function decodeCursor(cursor: string, order: string, slots: readonly CursorSlot[], field = 'after'): number[] {
  try {
    if (cursor.length > 500 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('shape');
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { o?: unknown; k?: unknown };
    const key = parsed.k;
    if (parsed.o === order && Array.isArray(key) && key.length === slots.length && key.every((part, i) => fitsSlot(part, slots[i]))) {
      return key as number[];
    }
  } catch {
    // fall through: any malformed cursor is the same client error
  }
  throw new BadUserInputError(field, 'is not a cursor of this list (cursors are only valid for the list and order that issued them).');
}

@ObjectType('PageInfo', { description: 'Where a page sits in its list (Relay cursor connections).' })
export class PageInfo {
  @Field(() => Boolean, { description: 'Whether more rows follow the last one returned.' })
  hasNextPage: boolean;

  @Field(() => Boolean, { description: 'Whether rows exist before the first one returned (true when paging with `after`).' })
  hasPreviousPage: boolean;

  @Field(() => String, { nullable: true, description: 'Cursor of the first row returned; null for an empty page.' })
  startCursor: string | null;

  @Field(() => String, { nullable: true, description: 'Cursor of the last row returned; pass it as `after` for the next page.' })
  endCursor: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface Page<T> {
  edges: Edge<T>[];
  nodes: T[];
  pageInfo: PageInfo;
}

/**
 * Turns up to `first + 1` rows fetched in order into a page: the extra row
 * only tells that a next page exists.
 */
export function toPage<T>(rows: readonly T[], first: number, hasAfter: boolean, cursorOf: (row: T) => string): Page<T> {
  const nodes = rows.slice(0, first);
  const edges = nodes.map((node) => ({ cursor: cursorOf(node), node }));
  const pageInfo = new PageInfo();
  pageInfo.hasNextPage = rows.length > first;
  pageInfo.hasPreviousPage = hasAfter;
  pageInfo.startCursor = edges[0]?.cursor ?? null;
  pageInfo.endCursor = edges[edges.length - 1]?.cursor ?? null;
  return { edges, nodes, pageInfo };
}
