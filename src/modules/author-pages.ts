/** Pages of one member's own lists (Member.posts, Member.comments), shared by the post and comment modules. */
import { decodeCursor } from '../graphql/pagination';

/**
 * One page of one member's own list (Member.posts, Member.comments): newest (highest id) first,
 * `after` a cursor of that list. Pages of many members are read in one query.
 */
export interface AuthorPageRequest {
  authorId: number;
  first: number;
  after: string | null;
  /**
   * Member.comments: whether comments on posts a moderator removed are listed although the post's
   * author is someone else (true for moderators; the member themself may not reach such a post).
   */
  withOthersRemovedPosts?: boolean;
}

/** The id an author-list cursor of `order` stands for; BAD_USER_INPUT on `after` when it is not one. */
export function authorCursorId(cursor: string | null, order: string): number | null {
  return cursor === null ? null : decodeCursor(cursor, order, ['int32'])[0];
}
