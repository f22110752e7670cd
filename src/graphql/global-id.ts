/**
 * Opaque Relay global IDs: base64url("<Type>:<database id>"). Clients must
 * treat them as opaque; the type prefix lets node(id) find the right table
 * and lets mutations tell a poll id from a thread id.
 */
import { BadUserInputError } from './errors';

export type NodeTypeName =
  | 'Member'
  | 'Thread'
  | 'Poll'
  | 'PollOption'
  | 'Comment'
  | 'Topic'
  | 'PollResults'
  | 'PostStats'
  | 'Revision'
  | 'ModerationLogEntry'
  | 'Report'
  // A PollResultsBreakdown is one per poll and dimension: the dimension is in its type name, the poll's id is its id.
  | 'PollIndustryBreakdown'
  | 'PollCompanySizeBreakdown';

const NODE_TYPES: ReadonlySet<string> = new Set<NodeTypeName>([
  'Member',
  'Thread',
  'Poll',
  'PollOption',
  'Comment',
  'Topic',
  'PollResults',
  'PostStats',
  'Revision',
  'ModerationLogEntry',
  'Report',
  'PollIndustryBreakdown',
  'PollCompanySizeBreakdown',
]);

export interface DecodedId {
  type: NodeTypeName;
  id: number;
}

export function toGlobalId(type: NodeTypeName, id: number): string {
  return Buffer.from(`${type}:${id}`, 'utf8').toString('base64url');
}

/**
 * The largest database id: every id column is a 32-bit INTEGER on PostgreSQL,
 * where a larger number fails the query instead of matching no row.
 */
export const MAX_DATABASE_ID = 2_147_483_647;

/** Null when the string is not an ID this server issued (malformed, or past any id it can issue). */
export function fromGlobalId(globalId: string): DecodedId | null {
  if (typeof globalId !== 'string' || globalId.length === 0 || globalId.length > 64) return null;
  if (!/^[A-Za-z0-9_-]+$/.test(globalId)) return null;
  const text = Buffer.from(globalId, 'base64url').toString('utf8');
  const match = /^([A-Za-z]+):([1-9]\d{0,9})$/.exec(text);
  if (!match || !NODE_TYPES.has(match[1])) return null;
  const id = Number(match[2]);
  if (id > MAX_DATABASE_ID) return null;
  return { type: match[1] as NodeTypeName, id };
}

/**
 * For mutation inputs: a malformed ID is BAD_USER_INPUT on `field`; an ID of
 * another type is returned as null so the caller can answer NOT_FOUND (the
 * ID is well formed but names nothing of the expected kind).
 */
export function decodeIdOf(globalId: string, field: string, types: readonly NodeTypeName[]): DecodedId | null {
  const decoded = fromGlobalId(globalId);
  if (!decoded) throw new BadUserInputError(field, 'is not a valid ID.');
  return types.includes(decoded.type) ? decoded : null;
}
