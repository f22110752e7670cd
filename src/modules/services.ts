/** The application services, created once per process and shared by all requests. */
import type { Database } from '../db/database';
import type { Logger } from '../logger';
import { CommentListService } from './comment/comment-lists.service';
import { CommentService } from './comment/comment.service';
import type { DomainEvent } from './events';
import { MemberService } from './member/member.service';
import { MemberModerationService } from './moderation/member-moderation.service';
import { ModerationLogService } from './moderation/moderation-log.service';
import { PostControlService } from './moderation/post-control.service';
import { ContentModerationService } from './moderation/content-moderation.service';
import { BreakdownPublisher } from './insights/breakdown-publisher';
import { PollClosingScheduler } from './poll/poll-closing';
import { PollReadService } from './poll/poll-reads.service';
import { PollService } from './poll/poll.service';
import { PostAuthoringService } from './post/post-authoring.service';
import { PostListService } from './post/post-lists.service';
import { PostService } from './post/post.service';
import { ReportService } from './report/report.service';
import { RevisionService } from './revision/revision.service';
import { TopicService } from './topic/topic.service';
import { UpvoteService } from './upvote/upvote.service';

export interface Services {
  members: MemberService;
  revisions: RevisionService;
  topics: TopicService;
  posts: PostService;
  postLists: PostListService;
  postAuthoring: PostAuthoringService;
  comments: CommentService;
  commentLists: CommentListService;
  polls: PollService;
  pollReads: PollReadService;
  pollClosing: PollClosingScheduler;
  upvotes: UpvoteService;
  reports: ReportService;
  /** The moderation log: its writes (inside each moderation change) and its reads. */
  moderationLog: ModerationLogService;
  /** Roles and suspensions. */
  memberModeration: MemberModerationService;
  /** Locks and pins. */
  postControl: PostControlService;
  /** moderateContent (moderation.graphql). */
  contentModeration: ContentModerationService;
  settings: ServiceSettings;
}

/** Settings the services need (config.ts reads them). */
export interface ServiceSettings {
  /** k of poll breakdowns (INSIGHTS_MIN_GROUP_SIZE). */
  minGroupSize: number;
}

export const DEFAULT_SERVICE_SETTINGS: ServiceSettings = { minGroupSize: 5 };

export function createServices(db: Database<DomainEvent>, logger: Logger, settings: ServiceSettings = DEFAULT_SERVICE_SETTINGS): Services {
  const members = new MemberService(db);
  const topics = new TopicService(db);
  const revisions = new RevisionService(db);
  const posts = new PostService(db, topics, revisions);
  const comments = new CommentService(db, posts, revisions);
  const postAuthoring = new PostAuthoringService(db, posts, topics, revisions);
  const polls = new PollService(db, posts, postAuthoring, new BreakdownPublisher(settings.minGroupSize));
  const upvotes = new UpvoteService(db, posts, comments);
  const moderationLog = new ModerationLogService(db);
  const contentModeration = new ContentModerationService(db, posts, topics, moderationLog);
  return {
    members,
    revisions,
    topics,
    posts,
    postLists: new PostListService(db, posts, topics),
    postAuthoring,
    comments,
    commentLists: new CommentListService(db, posts),
    polls,
    pollReads: new PollReadService(db, posts),
    pollClosing: new PollClosingScheduler(db, posts, logger),
    upvotes,
    reports: new ReportService(db, members, posts, comments, moderationLog),
    moderationLog,
    memberModeration: new MemberModerationService(db, members, moderationLog),
    postControl: new PostControlService(db, posts, moderationLog),
    contentModeration,
    settings,
  };
}
