/** The moderation module's own errors, each carrying its code from the closed set (src/graphql/errors.ts). */
import { ClientError, ErrorCode } from '../../graphql/errors';

/**
 * A new comment or reply, a vote or a retraction on a post a moderator locked (lockPost). Checked
 * before POLL_CLOSED: the lock is the moderator's word, and it says why nothing can be added.
 */
export class PostLockedError extends ClientError {
  constructor() {
    super('This post is locked: it takes no new comments, replies or votes.', ErrorCode.POST_LOCKED);
  }
}
