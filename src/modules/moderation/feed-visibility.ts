/**
 * The live feeds' side of "a REMOVED post is, for everyone but its author and moderators, exactly as a
 * post deleted by its author" (moderation.graphql, "Moderation states"): who of a feed's subscribers
 * may no longer see a post, with roles read from the database (never the connect-time viewer) in one
 * query for the whole audience, and none at all while the post is not REMOVED.
 */
import { ModerationState } from './moderation.enums';
import { ANONYMOUS, ContentViewer, contentViewersOf, isRemovedFor, ModeratedContent } from './visibility';

/** The memberById loader of a flush, as contentViewersOf reads it. */
type RoleLoaders = Parameters<typeof contentViewersOf>[0];

/**
 * The subscribers for whom the post is removed (to be ended as for a deletion). One role query for
 * all of them, leaving out anonymous subscribers (never moderators) and the author (always sees it);
 * no query while the post is not REMOVED. The roles are primed into `shared`'s memberById loader.
 */
export async function subscribersRemovedFrom<S extends { viewerId: number | null }>(
  shared: RoleLoaders,
  subscribers: readonly S[],
  post: ModeratedContent,
): Promise<S[]> {
  if (post.moderationState !== ModerationState.REMOVED) return [];
  const asked = subscribers.map((subscriber) => subscriber.viewerId).filter((id) => id !== null && id !== post.authorId);
  const viewers = await contentViewersOf(shared, asked);
  const viewerOf = (id: number | null): ContentViewer => (id === null ? ANONYMOUS : (viewers.get(id) ?? { id, isModerator: false }));
  return subscribers.filter((subscriber) => isRemovedFor(viewerOf(subscriber.viewerId), post));
}

/** Whether the post is removed for one viewer subscribing now (their role read fresh; no query unless it is REMOVED). */
export async function isRemovedForSubscriber(shared: () => RoleLoaders, viewerId: number | null, post: ModeratedContent): Promise<boolean> {
  if (post.moderationState !== ModerationState.REMOVED) return false;
  return (await subscribersRemovedFrom(shared(), [{ viewerId }], post)).length > 0;
}
