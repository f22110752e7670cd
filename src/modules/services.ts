/** The application services, created once per process and shared by all requests. */
import type { Database } from '../db/database';
import type { Logger } from '../logger';
import { CommentService } from './comment/comment.service';
import type { DomainEvent } from './events';
import { MemberService } from './member/member.service';
import { PollClosingScheduler } from './poll/poll-closing';
import { PollReadService } from './poll/poll-reads.service';
import { PollService } from './poll/poll.service';
import { PostService } from './post/post.service';
import { RevisionService } from './revision/revision.service';
import { TopicService } from './topic/topic.service';
import { UpvoteService } from './upvote/upvote.service';

export interface Services {
  members: MemberService;
  revisions: RevisionService;
  topics: TopicService;
  posts: PostService;
  comments: CommentService;
  polls: PollService;
  pollReads: PollReadService;
  pollClosing: PollClosingScheduler;
  upvotes: UpvoteService;
}

export function createServices(db: Database<DomainEvent>, logger: Logger): Services {
  const members = new MemberService(db);
  const topics = new TopicService(db);
  const revisions = new RevisionService(db);
  const posts = new PostService(db, topics, revisions);
  const comments = new CommentService(db, posts, revisions);
  const polls = new PollService(db, posts);
  const upvotes = new UpvoteService(db, posts, comments);
  return {
    members,
    revisions,
    topics,
    posts,
    comments,
    polls,
    pollReads: new PollReadService(db, posts),
    pollClosing: new PollClosingScheduler(db, posts, logger),
    upvotes,
  };
}
