/** Posts by id, and members' own post lists (Member.posts), batched per request. */
import DataLoader from 'dataloader';
import { byId } from '../../graphql/loaders';
import type { Page } from '../../graphql/pagination';
import type { Post } from './post.entity';
import type { AuthorPageRequest } from '../author-pages';
import type { PostListService } from './post-lists.service';
import type { PostService } from './post.service';

export interface PostLoaders {
  postById: DataLoader<number, Post | null>;
  /** One page of a member's undeleted posts, newest first (Member.posts). */
  postPageByAuthorRequest: DataLoader<AuthorPageRequest, Page<Post>, string>;
  /** How many undeleted posts a member has (Member.posts totalCount). */
  postCountByAuthorId: DataLoader<number, number>;
}

export function createPostLoaders(posts: Pick<PostService, 'findByIds'>, lists: Pick<PostListService, 'pagesByAuthor' | 'countsByAuthor'>): PostLoaders {
  return {
    postById: byId((ids) => posts.findByIds(ids)),
    postPageByAuthorRequest: new DataLoader((requests) => lists.pagesByAuthor(requests), { cacheKeyFn: (request) => JSON.stringify(request) }),
    postCountByAuthorId: new DataLoader(async (authorIds) => {
      const counts = await lists.countsByAuthor(authorIds);
      return authorIds.map((id) => counts.get(id) ?? 0);
    }),
  };
}
