/** Posts by id, batched per request. */
import DataLoader from 'dataloader';
import { byId } from '../../graphql/loaders';
import type { Post } from './post.entity';
import type { PostService } from './post.service';

export interface PostLoaders {
  postById: DataLoader<number, Post | null>;
}

export function createPostLoaders(posts: Pick<PostService, 'findByIds'>): PostLoaders {
  return { postById: byId((ids) => posts.findByIds(ids)) };
}
