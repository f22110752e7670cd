/**
 * What each viewer may see of moderated content (moderation.graphql, "Moderation states"): the one
 * place that decides, used at the API edge (field resolvers, node(id), the live feeds). Services stay
 * free of viewers: they return rows with their moderation_state, and the edge withholds.
 *
 * - HIDDEN: the text (Thread.body, Poll.description, Comment.body, revisions) is withheld from
 *   everyone but the author and moderators; the item stays where it was.
 * - REMOVED: a post is gone (null) and a comment a placeholder for everyone but the author and
 *   moderators.
 *
 * The role is read fresh: on HTTP the request's viewer is loaded per request; on the WebSocket the
 * connect-time viewer is stale, so live messages read the role through the flush's shared
 * memberById loader, which each feed primes with one query for all subscribers of the flush.
 */
import { isModeratorRole, ModerationState } from './moderation.enums';

/**
 * What the rules read of a request's context (RequestContext, structurally: this file is imported
 * by modules the context's own imports reach, so it imports neither the context nor the loaders).
 */
export interface VisibilityContext {
  viewer: { id: number; role: string } | null;
  /** Set for operations over the WebSocket. */
  live?: unknown;
  loaders: { memberById: MemberRoles };
}

/** The memberById loader, as far as roles go. */
interface MemberRoles {
  load(id: number): Promise<{ role: string } | null>;
  loadMany(ids: readonly number[]): Promise<Array<{ role: string } | null | Error>>;
}

/** Who is looking, as far as moderation is concerned. */
export interface ContentViewer {
  /** The member's id; null for anonymous viewers. */
  id: number | null;
  /** Role MODERATOR or ADMIN, read fresh (per request, per live flush). */
  isModerator: boolean;
}

export const ANONYMOUS: ContentViewer = { id: null, isModerator: false };

/** What visibility rules read of a thread, poll or comment. */
export interface ModeratedContent {
  authorId: number;
  moderationState: string;
}

/** A member as a viewer of content, by the role it was read with (a service's fresh `Member`, e.g. the reporter). */
export function contentViewerOfMember(member: { id: number; role: string }): ContentViewer {
  return { id: member.id, isModerator: isModeratorRole(member.role) };
}

/** The request's viewer with a fresh role (see the header). */
export async function contentViewerOf(context: VisibilityContext): Promise<ContentViewer> {
  const viewer = context.viewer;
  if (viewer === null) return ANONYMOUS;
  if (!context.live) return contentViewerOfMember(viewer);
  const fresh = await context.loaders.memberById.load(viewer.id);
  return { id: viewer.id, isModerator: isModeratorRole(fresh?.role) };
}

/**
 * The viewers of a live flush with their roles read once for all of them (one query), primed in
 * `shared`; `alsoLoad` (e.g. the authors the payload shows) joins the same query.
 */
export async function contentViewersOf(
  shared: { memberById: MemberRoles },
  viewerIds: ReadonlyArray<number | null>,
  alsoLoad: readonly number[] = [],
): Promise<Map<number, ContentViewer>> {
  const ids = [...new Set(viewerIds.filter((id): id is number => id !== null))];
  const [members] = await Promise.all([
    ids.length === 0 ? Promise.resolve([]) : shared.memberById.loadMany(ids),
    alsoLoad.length === 0 ? null : shared.memberById.loadMany(alsoLoad),
  ]);
  const viewers = new Map<number, ContentViewer>();
  ids.forEach((id, index) => {
    const member = members[index];
    viewers.set(id, { id, isModerator: !(member instanceof Error) && member !== null && isModeratorRole(member.role) });
  });
  return viewers;
}

/** Whether the viewer sees the content in full whatever its state: its author and moderators. */
export function seesEverything(viewer: ContentViewer, content: ModeratedContent): boolean {
  return viewer.isModerator || (viewer.id !== null && viewer.id === content.authorId);
}

/** Whether the content's text is withheld from the viewer (HIDDEN or REMOVED, and not its author or a moderator). */
export function isWithheldFrom(viewer: ContentViewer, content: ModeratedContent): boolean {
  return content.moderationState !== ModerationState.VISIBLE && !seesEverything(viewer, content);
}

/** Whether the content is taken down for the viewer (REMOVED, and not its author or a moderator). */
export function isRemovedFor(viewer: ContentViewer, content: ModeratedContent): boolean {
  return content.moderationState === ModerationState.REMOVED && !seesEverything(viewer, content);
}

/** A post as the viewer may get it: null once removed for them (like a deleted post). */
export async function visiblePost<P extends ModeratedContent>(post: P | null, context: VisibilityContext): Promise<P | null> {
  if (!post || post.moderationState !== ModerationState.REMOVED) return post;
  return isRemovedFor(await contentViewerOf(context), post) ? null : post;
}

/**
 * Which removed comments a comment list shows in full to its viewer (the rest are listed like
 * deleted ones): all for moderators, the viewer's own for members, none for anonymous viewers.
 * Part of the list's batch key, so lists of different viewers never share a page.
 */
export type RemovedCommentsSeen = 'ALL' | { authorId: number } | 'NONE';

export function removedCommentsSeenBy(viewer: ContentViewer): RemovedCommentsSeen {
  if (viewer.isModerator) return 'ALL';
  return viewer.id === null ? 'NONE' : { authorId: viewer.id };
}

/**
 * The request's viewer as the database has it now: on HTTP the viewer loaded for the request; on the
 * WebSocket (whose viewer was loaded at connect time) the member read through the message's
 * loaders, so a role granted or taken since the socket connected applies to the next message.
 */
export async function freshViewerOf<M extends { id: number; role: string }>(context: {
  viewer: M | null;
  live?: unknown;
  loaders: { memberById: { load(id: number): Promise<M | null> } };
}): Promise<M | null> {
  if (context.viewer === null || !context.live) return context.viewer;
  return context.loaders.memberById.load(context.viewer.id);
}
