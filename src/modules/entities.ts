/** Every TypeORM entity, in one list for the data source and the CLI. */
import { PollBreakdownBucket, PollBreakdownMember } from './insights/breakdown.entity';
import { Comment } from './comment/comment.entity';
import { AuthToken } from './member/auth-token.entity';
import { Member } from './member/member.entity';
import { PollOption } from './poll/poll-option.entity';
import { PollParticipant, PollVote } from './poll/poll-vote.entity';
import { PostView } from './post/post-view.entity';
import { Post } from './post/post.entity';
import { ModerationLogEntry } from './moderation/moderation-log.entity';
import { ReportQueueChange } from './report/report-queue-change.entity';
import { Report } from './report/report.entity';
import { Revision } from './revision/revision.entity';
import { PostTopic, Topic } from './topic/topic.entity';
import { Upvote } from './upvote/upvote.entity';

export const ENTITIES = [
  Member,
  AuthToken,
  Topic,
  PostTopic,
  Post,
  PostView,
  Comment,
  PollOption,
  PollVote,
  PollParticipant,
  Upvote,
  Revision,
  Report,
  ReportQueueChange,
  ModerationLogEntry,
  PollBreakdownBucket,
  PollBreakdownMember,
];
