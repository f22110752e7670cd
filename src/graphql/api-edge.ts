/**
 * What a resolver does at the API edge, before its service runs: the viewer
 * must be signed in, global IDs become database ids, and input errors come
 * out at the argument's path. Services take database ids and name their own
 * fields ("title", "optionIds[2]"); they know nothing of global IDs or of
 * GraphQL arguments ("input.title").
 */
import { ForbiddenError, NotFoundError, rootedAt, UnauthenticatedError } from './errors';
import { decodeIdOf, NodeTypeName } from './global-id';

/** The signed-in viewer; UNAUTHENTICATED before any argument is looked at. */
export function signedIn<V>(viewer: V | null): V {
  if (viewer === null) throw new UnauthenticatedError();
  return viewer;
}

/** Who may act as a moderator (role MODERATOR or ADMIN) or an admin (ADMIN): any object with a role. */
interface WithRole {
  role: string;
}

/**
 * The signed-in moderator (role MODERATOR or ADMIN); anonymous UNAUTHENTICATED, anyone else
 * FORBIDDEN, before any argument is looked at (so FORBIDDEN says nothing about whether an id exists).
 */
export function signedInModerator<V extends WithRole>(viewer: V | null): V {
  const member = signedIn(viewer);
  if (member.role !== 'MODERATOR' && member.role !== 'ADMIN') throw new ForbiddenError('Only moderators may do this.');
  return member;
}

/** The signed-in admin (role ADMIN); anonymous UNAUTHENTICATED, anyone else FORBIDDEN. */
export function signedInAdmin<V extends WithRole>(viewer: V | null): V {
  const member = signedIn(viewer);
  if (member.role !== 'ADMIN') throw new ForbiddenError('Only admins may do this.');
  return member;
}

/**
 * The database id (and type) of a global ID that must be of one of `types`.
 * Malformed: BAD_USER_INPUT on `field`. Well formed but of another type:
 * NOT_FOUND (`what`) on `field`, since it names nothing of the expected kind.
 */
export function idOf<T extends NodeTypeName>(globalId: string, field: string, types: readonly T[], what: string): { type: T; id: number } {
  const decoded = decodeIdOf(globalId, field, types);
  if (!decoded) throw new NotFoundError(what, field);
  return { type: decoded.type as T, id: decoded.id };
}

/**
 * Runs a resolver's work on its argument `argument` (decoding its IDs with
 * fields relative to it, calling the service): every input error comes out
 * rooted at the argument, "title" as "input.title", as the client wrote it.
 */
export async function atArgument<T>(argument: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw rootedAt(argument, error);
  }
}
