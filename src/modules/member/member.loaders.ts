/**
 * Members by id, batched per request (authors of a page in one query). A
 * profile change replaces the member the request may already have loaded:
 * afterProfileChange, so the payload's posts and comments show the new byline.
 */
import DataLoader from 'dataloader';
import { byId } from '../../graphql/loaders';
import type { Member } from './member.entity';
import type { MemberService } from './member.service';

export interface MemberLoaders {
  memberById: DataLoader<number, Member | null>;
  /** The member changed their profile: the request reads `member` as it is now. */
  afterProfileChange(member: Member): void;
}

export function createMemberLoaders(members: Pick<MemberService, 'findByIds'>): MemberLoaders {
  const memberById = byId((ids: readonly number[]) => members.findByIds(ids));
  return {
    memberById,
    afterProfileChange: (member) => {
      memberById.clear(member.id).prime(member.id, member);
    },
  };
}
