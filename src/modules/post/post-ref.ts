/** A post by database id and kind, as services take it; the API edge decodes it from a Thread or Poll ID. */
import { idOf } from '../../graphql/api-edge';
import type { PostKind } from './post.entity';

export interface PostRef {
  id: number;
  kind: PostKind;
}

/** The post a global Thread or Poll ID names: BAD_USER_INPUT on `field` when malformed, NOT_FOUND for another type. */
export function postRefOf(globalId: string, field: string): PostRef {
  const { type, id } = idOf(globalId, field, ['Thread', 'Poll'], 'Post');
  return { id, kind: type === 'Poll' ? 'POLL' : 'THREAD' };
}
