/** GraphQL documents and helpers of the content-moderation tests (moderateContent and what each viewer sees). */
import { Member } from '../../src/modules/member/member.entity';
import { MemberRole } from '../../src/modules/moderation/moderation.enums';
import { ModerationLogEntry } from '../../src/modules/moderation/moderation-log.entity';
import { Report } from '../../src/modules/report/report.entity';
import { dbId, typed } from './documents';
import type { TestServer } from './server';

export interface ModeratedComment {
  id: string;
  body: string;
  author: { id: string } | null;
  isDeleted: boolean;
  moderationState: string;
  moderationReason: string | null;
  viewerCanModerate: boolean;
  replyCount: number;
}

export interface ModeratedPost {
  id: string;
  __typename: string;
  title: string;
  body?: string;
  description?: string | null;
  moderationState: string;
  moderationReason: string | null;
  viewerCanModerate: boolean;
  commentCount: number;
  revisions: { totalCount: number };
}

export const POST_FIELDS = `id __typename title moderationState moderationReason viewerCanModerate commentCount revisions { totalCount } ... on Thread { body } ... on Poll { description }`;
export const COMMENT_FIELDS = `id body author { id } isDeleted moderationState moderationReason viewerCanModerate replyCount`;

export const MODERATE = typed<{ moderateContent: { subject: { id: string; moderationState: string; moderationReason: string | null } } | null }>(
  `mutation Moderate($input: ModerateContentInput!) { moderateContent(input: $input) { subject { id moderationState moderationReason } } }`,
);

export const READ_POST = typed<{ post: ModeratedPost | null; node: { id: string } | null }>(
  `query ReadPost($id: ID!) { post(id: $id) { ${POST_FIELDS} } node(id: $id) { id } }`,
);

export interface CommentList {
  totalCount: number;
  nodes: Array<ModeratedComment & { replies: { totalCount: number; nodes: ModeratedComment[] } }>;
}
export const READ_COMMENTS = typed<{ post: { commentCount: number; comments: CommentList } | null }>(
  `query ReadComments($id: ID!) { post(id: $id) { commentCount comments(first: 50) { totalCount nodes { ${COMMENT_FIELDS} replies(first: 50) { totalCount nodes { ${COMMENT_FIELDS} } } } } } }`,
);

export const READ_NODE_COMMENT = typed<{ node: ModeratedComment | null }>(
  `query ReadNode($id: ID!) { node(id: $id) { ... on Comment { ${COMMENT_FIELDS} } } }`,
);

export const LIST_POSTS = typed<{ posts: { totalCount: number; nodes: Array<{ id: string }> } }>(
  `query ListPosts($search: String, $topicSlug: String) { posts(first: 100, search: $search, topicSlug: $topicSlug) { totalCount nodes { id } } }`,
);

export const RECOMMENDED = typed<{ recommendedPosts: Array<{ id: string }> }>(`query Recommended { recommendedPosts(first: 20) { id } }`);

export const TOPIC = typed<{ topic: { postCount: number } | null }>(`query Topic($slug: String!) { topic(slug: $slug) { postCount } }`);

export const MEMBER_HISTORY = typed<{
  node: { posts: { totalCount: number; nodes: Array<{ id: string; moderationState: string }> }; comments: { totalCount: number } } | null;
}>(
  `query History($id: ID!) { node(id: $id) { ... on Member { posts(first: 100) { totalCount nodes { id moderationState } } comments(first: 100) { totalCount } } } }`,
);

/** Gives a member a role directly in the database, as `npm run member -- role` would. */
export async function setRole(t: TestServer, memberId: string, role: 'MEMBER' | 'MODERATOR' | 'ADMIN'): Promise<void> {
  await t.probe.db.write(({ manager }) => manager.getRepository(Member).update({ id: dbId(memberId) }, { role: MemberRole[role] }));
}

/** The moderation log entries about a subject (a global id of a post or comment). */
export function logEntriesOf(t: TestServer, subjectId: string): Promise<ModerationLogEntry[]> {
  const subjectType = Buffer.from(subjectId, 'base64url').toString('utf8').startsWith('Comment:') ? 'COMMENT' : 'POST';
  return t.probe.db.read((manager) =>
    manager.getRepository(ModerationLogEntry).find({ where: { subjectType, subjectId: dbId(subjectId) }, order: { id: 'ASC' } }),
  );
}

/** Files an OPEN report of `reporterId` on a post or comment, as reportContent will (branch `reports`). */
export async function fileReport(t: TestServer, reporterId: string, subject: { type: 'POST' | 'COMMENT'; id: string }): Promise<number> {
  return t.probe.db.write(async ({ manager }) => {
    const row = manager.getRepository(Report).create({
      reporterId: dbId(reporterId),
      subjectType: subject.type,
      subjectId: dbId(subject.id),
      reason: 'SPAM',
      note: null,
      status: 'OPEN',
      createdAt: new Date(),
      resolvedAt: null,
      resolvedBy: null,
    });
    await manager.getRepository(Report).insert(row);
    return row.id;
  });
}

export function reportStatus(t: TestServer, reportId: number): Promise<string> {
  return t.probe.db.read(async (manager) => (await manager.getRepository(Report).findOneOrFail({ where: { id: reportId } })).status);
}
