/**
 * The fields of ModerationLogEntry that are not columns: its subject's global id (also once the
 * subject is gone), the subject as moderators see it, and the moderator. Entries reach only
 * moderators (Query.moderationLog and node(id) check the role), so these fields check nothing more.
 */
import { Ctx, FieldResolver, ID, Resolver, Root } from 'type-graphql';
import { toGlobalId } from '../../graphql/global-id';
import { Node, NodeLike } from '../../graphql/node';
import type { RequestContext } from '../context';
import { Member } from '../member/member.entity';
import { ModerationLogEntry } from './moderation-log.entity';

@Resolver(() => ModerationLogEntry)
export class ModerationLogEntryFieldResolver {
  @FieldResolver(() => ID, { description: 'The thread, poll, comment, member or (RESOLVE_REPORT) report acted on, also once it is gone.' })
  async subjectId(@Root() entry: ModerationLogEntry, @Ctx() context: RequestContext): Promise<string> {
    switch (entry.subjectType) {
      case 'POST':
        // Posts share one table: the kind (deleted posts included) says Thread or Poll.
        return toGlobalId((await context.loaders.postKindById.load(entry.subjectId)) === 'POLL' ? 'Poll' : 'Thread', entry.subjectId);
      case 'COMMENT':
        return toGlobalId('Comment', entry.subjectId);
      case 'MEMBER':
        return toGlobalId('Member', entry.subjectId);
      case 'REPORT':
        return toGlobalId('Report', entry.subjectId);
    }
  }

  @FieldResolver(() => Node, { nullable: true, description: 'The subject as moderators see it; null once its author deleted it.' })
  async subject(@Root() entry: ModerationLogEntry, @Ctx() context: RequestContext): Promise<NodeLike | null> {
    const { loaders } = context;
    switch (entry.subjectType) {
      case 'POST':
        return loaders.postById.load(entry.subjectId);
      case 'COMMENT': {
        const comment = await loaders.commentById.load(entry.subjectId);
        return comment && comment.deletedAt === null ? comment : null;
      }
      case 'MEMBER':
        return loaders.memberById.load(entry.subjectId);
      case 'REPORT':
        // Reports are never deleted: the log's reader (a moderator) always gets it.
        return loaders.reportById.load(entry.subjectId);
    }
  }

  @FieldResolver(() => Member, { nullable: true, description: 'The moderator or admin who acted; null for a role set from the command line.' })
  moderator(@Root() entry: ModerationLogEntry, @Ctx() context: RequestContext): Promise<Member | null> | null {
    return entry.moderatorId === null ? null : context.loaders.memberById.load(entry.moderatorId);
  }
}
