/** Members by id, batched per request (authors of a page in one query). */
import DataLoader from 'dataloader';
import { byId } from '../../graphql/loaders';
import type { Member } from './member.entity';
import type { MemberService } from './member.service';

export interface MemberLoaders {
  memberById: DataLoader<number, Member | null>;
}

export function createMemberLoaders(members: Pick<MemberService, 'findByIds'>): MemberLoaders {
  return { memberById: byId((ids) => members.findByIds(ids)) };
}
