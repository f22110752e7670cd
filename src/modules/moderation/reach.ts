/**
 * What a viewer may not name in a mutation: content removed for them is gone for writes as it is for
 * reads (moderation.graphql, "Moderation states"). For everyone but its author and moderators, a
 * REMOVED post is exactly a post deleted by its author, so every mutation naming it or one of its
 * comments is NOT_FOUND; a REMOVED comment is like a deleted one, NOT_FOUND wherever a deleted
 * comment is (upvoting it, replying to it, reporting it).
 *
 * Two shapes, both deciding with the viewer's fresh role (visibility.ts), so services stay free of
 * viewers and roles:
 * - `removalRuleOf`: a synchronous rule the service applies to the row it reads under its own lock
 *   (castVote, retractVote). No read of its own, and no race: a removal commits either before the
 *   service's read (NOT_FOUND) or after its write.
 * - `reachablePostOrNotFound` / `reachableCommentOrNotFound`: checked at the API edge, before the
 *   service runs, through the request's loaders (the other mutations). Content that does not exist
 *   (or is deleted) passes here: the service answers NOT_FOUND for it as before. A removal committing
 *   between this check and the service's write is a removal that came just after the write: the
 *   write lands as it would have a moment earlier (content removed later keeps what was written to it).
 */
import type DataLoader from 'dataloader';
import { NotFoundError } from '../../graphql/errors';
import type { RequestContext } from '../context';
import { ModerationState } from './moderation.enums';
import { ContentViewer, contentViewerOf, isRemovedFor, ModeratedContent } from './visibility';

/** Whether content is removed for one viewer: applied by a service to the row it read under its lock. */
export type RemovalRule = (content: ModeratedContent) => boolean;

/** The rule for the request's viewer, with their fresh role (no read over HTTP: the viewer is loaded per request). */
export async function removalRuleOf(context: RequestContext): Promise<RemovalRule> {
  const viewer = await contentViewerOf(context);
  return (content) => isRemovedFor(viewer, content);
}

/** NOT_FOUND (`what` on `field`) when the post is removed for the request's viewer. */
export async function reachablePostOrNotFound(context: RequestContext, postId: number, field: string, what = 'Post'): Promise<void> {
  if (await isPostRemovedFor(context, postId, () => contentViewerOf(context))) throw new NotFoundError(what, field);
}

/**
 * NOT_FOUND (`what` on `field`) when the comment is removed for the request's viewer, or its post is
 * (a removed post takes its comments with it).
 */
export async function reachableCommentOrNotFound(context: RequestContext, commentId: number, field: string, what = 'Comment'): Promise<void> {
  const comment = await snapshotOf(context.loaders.commentById, commentId);
  if (!comment) return;
  let viewer: ContentViewer | null = null;
  const seen = async () => (viewer ??= await contentViewerOf(context));
  const removed =
    (comment.moderationState === ModerationState.REMOVED && isRemovedFor(await seen(), comment)) || (await isPostRemovedFor(context, comment.postId, seen));
  if (removed) throw new NotFoundError(what, field);
}

async function isPostRemovedFor(context: RequestContext, postId: number, viewer: () => Promise<ContentViewer>): Promise<boolean> {
  const post = await snapshotOf(context.loaders.postById, postId);
  // The viewer's role is read only when it matters: most posts are not removed.
  return post !== null && post.moderationState === ModerationState.REMOVED && isRemovedFor(await viewer(), post);
}

/**
 * The row as the request's loader has it, then forgotten: it is read before the mutation writes, and
 * the mutation's payload (e.g. addComment's comment.post.commentCount) must read it as written.
 */
async function snapshotOf<T>(loader: DataLoader<number, T | null>, id: number): Promise<T | null> {
  const row = await loader.load(id);
  loader.clear(id);
  return row;
}
