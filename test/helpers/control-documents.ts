/**
 * Documents of the moderation-control tests (roles, locks, pins, suspensions, the log), typed like
 * ./documents, and the one way these tests make a member an admin: as `npm run member -- role`
 * does, straight in the database (the CLI itself is test/moderation-cli.test.ts's).
 */
import { Member } from '../../src/modules/member/member.entity';
import { MemberRole } from '../../src/modules/moderation/moderation.enums';
import { dbId, typed } from './documents';
import type { TestServer } from './server';

/** Gives the member `memberId` (global) the role `role` directly in the server's database, as the command line does. */
export async function grantRole(t: TestServer, memberId: string, role: MemberRole): Promise<void> {
  await t.probe.db.write(({ manager }) => manager.getRepository(Member).update({ id: dbId(memberId) }, { role }));
}

export interface ControlledPost {
  __typename: 'Thread' | 'Poll';
  id: string;
  isLocked: boolean;
  lockedAt: string | null;
  lockReason: string | null;
  isPinned: boolean;
  pinnedAt: string | null;
}
const POST_FIELDS = '__typename id isLocked lockedAt lockReason isPinned pinnedAt';

export const SET_MEMBER_ROLE = typed<{ setMemberRole: { member: { id: string; role: string } } | null }>(
  `mutation SetMemberRole($input: SetMemberRoleInput!) { setMemberRole(input: $input) { member { id role } } }`,
);
export const LOCK_POST = typed<{ lockPost: { post: ControlledPost } | null }>(
  `mutation LockPost($input: LockPostInput!) { lockPost(input: $input) { post { ${POST_FIELDS} } } }`,
);
export const UNLOCK_POST = typed<{ unlockPost: { post: ControlledPost } | null }>(
  `mutation UnlockPost($input: UnlockPostInput!) { unlockPost(input: $input) { post { ${POST_FIELDS} } } }`,
);
export const PIN_POST = typed<{ pinPost: { post: ControlledPost } | null }>(
  `mutation PinPost($input: PinPostInput!) { pinPost(input: $input) { post { ${POST_FIELDS} } } }`,
);
export const UNPIN_POST = typed<{ unpinPost: { post: ControlledPost } | null }>(
  `mutation UnpinPost($input: UnpinPostInput!) { unpinPost(input: $input) { post { ${POST_FIELDS} } } }`,
);
export const READ_POST = typed<{ post: ControlledPost | null }>(`query ReadControlledPost($id: ID!) { post(id: $id) { ${POST_FIELDS} } }`);
export const PINNED_POSTS = typed<{ pinnedPosts: ControlledPost[] }>(`query PinnedPosts { pinnedPosts { ${POST_FIELDS} } }`);

export interface Suspension {
  since: string;
  until: string | null;
  reason: string;
  note: string | null;
  moderator: { id: string };
}
export interface ModeratedMember {
  id: string;
  role: string;
  viewerCanModerate: boolean;
  suspension: Suspension | null;
}
const MEMBER_FIELDS = 'id role viewerCanModerate suspension { since until reason note moderator { id } }';

export const SUSPEND_MEMBER = typed<{ suspendMember: { member: ModeratedMember } | null }>(
  `mutation SuspendMember($input: SuspendMemberInput!) { suspendMember(input: $input) { member { ${MEMBER_FIELDS} } } }`,
);
export const UNSUSPEND_MEMBER = typed<{ unsuspendMember: { member: ModeratedMember } | null }>(
  `mutation UnsuspendMember($input: UnsuspendMemberInput!) { unsuspendMember(input: $input) { member { ${MEMBER_FIELDS} } } }`,
);
export const READ_MEMBER = typed<{ node: ModeratedMember | null }>(`query ReadMember($id: ID!) { node(id: $id) { ... on Member { ${MEMBER_FIELDS} } } }`);

export interface LogEntry {
  id: string;
  action: string;
  subjectId: string;
  subject: { __typename: string; id: string } | null;
  moderator: { id: string } | null;
  reason: string | null;
  note: string | null;
  role: string | null;
  suspendedUntil: string | null;
  resolution: string | null;
  createdAt: string;
}
const ENTRY_FIELDS = 'id action subjectId subject { __typename id } moderator { id } reason note role suspendedUntil resolution createdAt';

export interface LogPage {
  edges: Array<{ cursor: string; node: LogEntry }>;
  nodes: LogEntry[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null };
  totalCount: number;
}
export const MODERATION_LOG = typed<{ moderationLog: LogPage }>(
  `query ModerationLog($first: Int, $after: String, $subjectId: ID) {
    moderationLog(first: $first, after: $after, subjectId: $subjectId) {
      edges { cursor node { ${ENTRY_FIELDS} } } nodes { id } pageInfo { hasNextPage hasPreviousPage endCursor } totalCount
    }
  }`,
);
export const READ_LOG_ENTRY = typed<{ node: LogEntry | null }>(
  `query ReadLogEntry($id: ID!) { node(id: $id) { ... on ModerationLogEntry { ${ENTRY_FIELDS} } } }`,
);

export const LOG_IN = typed<{ logIn: { token: string } | null }>(`mutation LogIn($input: LogInInput!) { logIn(input: $input) { token } }`);
export const VIEWER_ROLE = typed<{ viewer: { id: string; role: string } | null }>(`query ViewerRole { viewer { id role } }`);
export const DELETE_POST = typed<{ deletePost: { deletedPostId: string } | null }>(
  `mutation DeletePost($input: DeletePostInput!) { deletePost(input: $input) { deletedPostId } }`,
);
export const DELETE_ACCOUNT = typed<{ deleteAccount: { deletedMemberId: string } | null }>(
  `mutation DeleteAccount($input: DeleteAccountInput!) { deleteAccount(input: $input) { deletedMemberId } }`,
);
export const EDIT_THREAD = typed<{ editThread: { thread: { id: string; title: string } } | null }>(
  `mutation EditThread($input: EditThreadInput!) { editThread(input: $input) { thread { id title } } }`,
);
