/**
 * Comments by id, pages of comments and top-level counts, batched per
 * request: the first pages of replies of many comments cost one query (a
 * window function ranks them), so a thread page costs a constant number of
 * statements however many comments it shows.
 */
import DataLoader from 'dataloader';
import { byId } from '../../graphql/loaders';
import type { Page } from '../../graphql/pagination';
import type { AuthorPageRequest } from '../author-pages';
import type { Comment } from './comment.entity';
import type { Member } from '../member/member.entity';
import type { CommentListService } from './comment-lists.service';
import type { CommentCountRequest, CommentPageRequest, CommentService } from './comment.service';

export interface CommentLoaders {
  commentById: DataLoader<number, Comment | null>;
  /** One page of a post's top-level comments or of a comment's replies. */
  commentPageByRequest: DataLoader<CommentPageRequest, Page<Comment>, string>;
  topLevelCommentCountByPostId: DataLoader<number, number>;
  /** The size of a post's top-level list or a comment's replies, for one viewer's view of REMOVED comments (CommentConnection.totalCount). */
  commentCountByListRequest: DataLoader<CommentCountRequest, number, string>;
  /** One page of a member's comments and replies, newest first (Member.comments). */
  commentPageByAuthorRequest: DataLoader<AuthorPageRequest, Page<Comment>, string>;
  /** How many comments a member's Member.comments list holds (its totalCount). */
  commentCountByAuthorId: DataLoader<number, number>;
  /** The same for a moderator, whose list also holds comments on other members' removed posts. */
  commentCountByAuthorIdForModerators: DataLoader<number, number>;
}

/**
 * `memberById`: the request's members by id (read when a page arrives), primed with the authors a
 * page's statement read with its comments, so their bylines cost no query of their own.
 */
export function createCommentLoaders(
  comments: Pick<CommentService, 'findByIds'>,
  lists: Pick<CommentListService, 'pagesWithAuthors' | 'topLevelCounts' | 'pagesByAuthor' | 'countsByAuthor' | 'listCounts'>,
  memberById: () => DataLoader<number, Member | null>,
): CommentLoaders {
  return {
    commentById: byId((ids) => comments.findByIds(ids)),
    commentPageByRequest: new DataLoader(
      async (requests) => {
        const { pages, authors } = await lists.pagesWithAuthors(requests);
        const members = memberById();
        for (const author of authors) members.prime(author.id, author);
        return pages;
      },
      { cacheKeyFn: (request) => JSON.stringify(request) },
    ),
    topLevelCommentCountByPostId: new DataLoader(async (postIds) => {
      const counts = await lists.topLevelCounts(postIds);
      return postIds.map((id) => counts.get(id) ?? 0);
    }),
    commentCountByListRequest: new DataLoader((requests) => lists.listCounts(requests), { cacheKeyFn: (request) => JSON.stringify(request) }),
    commentPageByAuthorRequest: new DataLoader((requests) => lists.pagesByAuthor(requests), { cacheKeyFn: (request) => JSON.stringify(request) }),
    commentCountByAuthorId: new DataLoader(async (authorIds) => {
      const counts = await lists.countsByAuthor(authorIds);
      return authorIds.map((id) => counts.get(id) ?? 0);
    }),
    commentCountByAuthorIdForModerators: new DataLoader(async (authorIds) => {
      const counts = await lists.countsByAuthor(authorIds, true);
      return authorIds.map((id) => counts.get(id) ?? 0);
    }),
  };
}
