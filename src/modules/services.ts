/** The application services, created once per process and shared by all requests. */
import type { Database } from '../db/database';
import type { LiveConfig } from '../config';
import type { Logger } from '../logger';
import type { DomainEventBus } from '../realtime/domain-events';
import { CommentService } from './comment/comment.service';
import { LiveHub } from './live/live-hub';
import { MemberService } from './member/member.service';
import { PollService } from './poll/poll.service';
import { PostService } from './post/post.service';
import { TopicService } from './topic/topic.service';
import { UpvoteService } from './upvote/upvote.service';

export interface Services {
  members: MemberService;
  topics: TopicService;
  posts: PostService;
  comments: CommentService;
  polls: PollService;
  upvotes: UpvoteService;
  /** The live API's fan-out (subscriptions). */
  live: LiveHub;
}

export function createServices(db: Database, logger: Logger, events: DomainEventBus, live: Pick<LiveConfig, 'intervalMs' | 'maxBacklog'>): Services {
  const members = new MemberService(db);
  const topics = new TopicService(db);
  const posts = new PostService(db, topics);
  const comments = new CommentService(db, posts);
  const polls = new PollService(db, posts, logger);
  const upvotes = new UpvoteService(db, posts, comments);
  const services = { members, topics, posts, comments, polls, upvotes } as Services;
  services.live = new LiveHub(services, events, live, logger);
  return services;
}
