/**
 * The moderation log's entries by id (node(id)), and posts' kinds by id, deleted posts included
 * (a log entry names its post by a Thread or Poll id also once the post is gone), batched per request.
 */
import DataLoader from 'dataloader';
import { byId } from '../../graphql/loaders';
import type { PostKind } from '../post/post.entity';
import type { ModerationLogEntry } from './moderation-log.entity';
import type { ModerationLogService } from './moderation-log.service';
import type { PostControlService } from './post-control.service';

export interface ModerationLoaders {
  moderationLogEntryById: DataLoader<number, ModerationLogEntry | null>;
  /** THREAD or POLL, also for deleted posts; null for an id that never was a post. */
  postKindById: DataLoader<number, PostKind | null>;
}

export function createModerationLoaders(log: Pick<ModerationLogService, 'findByIds'>, posts: Pick<PostControlService, 'kindsOf'>): ModerationLoaders {
  return {
    moderationLogEntryById: byId((ids) => log.findByIds(ids)),
    postKindById: new DataLoader(async (ids) => {
      const kinds = await posts.kindsOf(ids);
      return ids.map((id) => kinds.get(id) ?? null);
    }),
  };
}
