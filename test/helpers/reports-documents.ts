/**
 * Documents of the reports tests (reportContent, resolveReport, moderationQueue, Reportable's
 * fields, node(id) of a Report, moderationQueueUpdated), typed like ./documents, and the test-only
 * way to make a moderator: the role set directly through the server's unit of work (the command
 * line and setMemberRole are other work).
 */
import { Member } from '../../src/modules/member/member.entity';
import { Post } from '../../src/modules/post/post.entity';
import { Comment } from '../../src/modules/comment/comment.entity';
import { dbId, typed } from './documents';
import type { TestServer } from './server';

/** What the tests select of a report. */
export interface ReportView {
  id: string;
  status: 'OPEN' | 'ACTIONED' | 'DISMISSED';
  reason: string;
  note: string | null;
  subjectId: string;
  subject: { __typename: string; id: string } | null;
  reporter: { id: string };
  createdAt: string;
  resolvedAt: string | null;
  resolvedBy: { id: string } | null;
}

const REPORT_FIELDS = 'id status reason note subjectId subject { __typename id } reporter { id } createdAt resolvedAt resolvedBy { id }';

export const REPORT_CONTENT = typed<{ reportContent: { report: ReportView } | null }>(
  `mutation ReportContent($input: ReportContentInput!) { reportContent(input: $input) { report { ${REPORT_FIELDS} } } }`,
);

export const RESOLVE_REPORT = typed<{ resolveReport: { report: ReportView } | null }>(
  `mutation ResolveReport($input: ResolveReportInput!) { resolveReport(input: $input) { report { ${REPORT_FIELDS} } } }`,
);

export interface QueuePage {
  totalCount: number;
  edges: Array<{ cursor: string; node: ReportView }>;
  nodes: ReportView[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null };
}

export const MODERATION_QUEUE = typed<{ moderationQueue: QueuePage | null }>(
  `query ModerationQueue($first: Int, $after: String, $status: ReportStatus) {
    moderationQueue(first: $first, after: $after, status: $status) {
      totalCount edges { cursor node { ${REPORT_FIELDS} } } nodes { id } pageInfo { hasNextPage hasPreviousPage endCursor }
    }
  }`,
);

export const NODE_REPORT = typed<{ node: ReportView | null }>(`query NodeReport($id: ID!) { node(id: $id) { ... on Report { ${REPORT_FIELDS} } } }`);

/** Reportable's fields of any node. */
export interface ReportableView {
  id: string;
  viewerCanReport: boolean;
  viewerHasReported: boolean;
  openReportCount: number | null;
}

export const NODE_REPORTABLE = typed<{ node: ReportableView | null }>(
  `query NodeReportable($id: ID!) { node(id: $id) { id ... on Reportable { viewerCanReport viewerHasReported openReportCount } } }`,
);

export const POSTS_REPORTABLE = typed<{ posts: { nodes: Array<ReportableView & { comments: { nodes: ReportableView[] }; author: ReportableView }> } }>(
  `query PostsReportable($first: Int) {
    posts(first: $first) {
      nodes {
        id viewerCanReport viewerHasReported openReportCount
        author { id viewerCanReport viewerHasReported openReportCount }
        comments(first: 5) { nodes { id viewerCanReport viewerHasReported openReportCount } }
      }
    }
  }`,
);

/** One message of moderationQueueUpdated as the tests select it. */
export interface QueueMessage {
  moderationQueueUpdated: {
    cursor: string;
    status: 'OPEN' | 'ACTIONED' | 'DISMISSED';
    report: {
      id: string;
      status: string;
      reason: string;
      reporter: { id: string };
      resolvedBy: { id: string } | null;
      subjectId: string;
      subject: { id: string; openReportCount: number | null; viewerHasReported: boolean } | null;
    };
  };
}

export const WATCH_QUEUE = typed<QueueMessage>(`
  subscription WatchQueue($after: String) {
    moderationQueueUpdated(after: $after) {
      cursor status
      report { id status reason reporter { id } resolvedBy { id } subjectId subject { id openReportCount viewerHasReported } }
    }
  }`);

/** Sets a member's role in the database; with `announce`, publishes memberRoleChanged after the commit, as setMemberRole will. */
export async function setRole(t: TestServer, memberId: string, role: 'MEMBER' | 'MODERATOR' | 'ADMIN', announce = false): Promise<void> {
  const id = dbId(memberId);
  await t.probe.db.write(async ({ manager, publishAfterCommit }) => {
    await manager.getRepository(Member).update({ id }, { role: role as Member['role'] });
    if (announce) publishAfterCommit({ type: 'memberRoleChanged', memberId: id });
  });
}

/** Sets the moderation state of a post or comment in the database (moderateContent is other work). */
export async function setModerationState(t: TestServer, subjectId: string, state: 'VISIBLE' | 'HIDDEN' | 'REMOVED'): Promise<void> {
  const id = dbId(subjectId);
  const isComment = Buffer.from(subjectId, 'base64url').toString('utf8').startsWith('Comment:');
  await t.probe.db.write(async ({ manager }) => {
    const reason = state === 'VISIBLE' ? null : 'SPAM';
    if (isComment) await manager.getRepository(Comment).update({ id }, { moderationState: state, moderationReason: reason });
    else await manager.getRepository(Post).update({ id }, { moderationState: state, moderationReason: reason });
  });
}
