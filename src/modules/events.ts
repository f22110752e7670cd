/**
 * The domain events: what changed, published after commit on the event bus
 * (src/realtime/domain-events.ts) and relayed to other instances as JSON.
 * They carry ids, not state; the live feeds read the current state.
 */
export type DomainEvent =
  /** A poll's tallies, participants or closed flag changed; `version` is the new PollResults.version. */
  | { type: 'pollResultsChanged'; pollId: number; version: number }
  /** A post's views, upvotes or comment count changed. */
  | { type: 'postStatsChanged'; postId: number }
  /**
   * The post itself changed: edited (text, options, topics), deleted, a poll closed (and, with
   * moderation, locked, pinned, hidden, removed, restored). Subscribers of postUpdated get its state;
   * once it is deleted, every feed of the post ends.
   */
  | { type: 'postChanged'; postId: number }
  /** A comment or reply of the post changed: edited, deleted, its upvotes (and, with moderation, hidden, removed, restored). */
  | { type: 'commentChanged'; postId: number; commentId: number }
  /** The moderation queue has changes up to number `seq` (report_queue_changes: reports created or resolved). */
  | { type: 'reportQueueChanged'; seq: number }
  /** A member's role changed (setMemberRole, the command line): live subscriptions that depend on it re-check it. */
  | { type: 'memberRoleChanged'; memberId: number }
  /** The post has comments up to sequence number `seq` (see Comment.seq). */
  | { type: 'commentAdded'; postId: number; seq: number }
  /**
   * Sign-in sessions of a member ended (logOut; a password change, deletion or suspension may end
   * them all): sockets opened with them must close. `tokenHashes` names the sessions (the stored
   * SHA-256 of their tokens, never the tokens); null means every session of the member.
   */
  | { type: 'sessionsRevoked'; memberId: number; tokenHashes: string[] | null }
  /**
   * Rows changed by writes that published none of the events above (a profile, a sign-up): other
   * instances drop their cached answers (src/app/response-cache.ts). Sent at most once per turn of
   * the event loop, only when scaled out; local listeners get it too, and no live feed reads it.
   */
  | { type: 'dataChanged' };

/** Whether a value received from another instance (parsed JSON) is a well-formed domain event. */
export function isDomainEvent(value: unknown): value is DomainEvent {
  const event = value as Record<string, unknown> | null;
  if (!event || typeof event !== 'object') return false;
  const id = (key: string) => Number.isSafeInteger(event[key]);
  if (event.type === 'pollResultsChanged') return id('pollId') && id('version');
  if (event.type === 'postStatsChanged') return id('postId');
  if (event.type === 'commentAdded') return id('postId') && id('seq');
  if (event.type === 'postChanged') return id('postId');
  if (event.type === 'reportQueueChanged') return id('seq');
  if (event.type === 'memberRoleChanged') return id('memberId');
  if (event.type === 'commentChanged') return id('postId') && id('commentId');
  if (event.type === 'dataChanged') return true;
  if (event.type === 'sessionsRevoked') {
    const hashes = event.tokenHashes;
    return id('memberId') && (hashes === null || (Array.isArray(hashes) && hashes.every((hash) => typeof hash === 'string' && /^[0-9a-f]{64}$/.test(hash))));
  }
  return false;
}
