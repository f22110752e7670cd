/**
 * GraphQL shapes of reports: the Reportable interface (threads, polls, comments and members
 * implement it; its fields are resolved in report.resolver.ts), the moderation queue's connection,
 * and the message of Subscription.moderationQueueUpdated.
 */
import { Field, InterfaceType, ObjectType } from 'type-graphql';
import { Connection, Edge } from '../../graphql/connection';
import { Node, resolveNodeType } from '../../graphql/node';
import { ReportStatus } from './report.enums';
import { Report } from './report.entity';

@InterfaceType('Reportable', {
  implements: Node,
  description: 'What can be reported: threads, polls, comments and members.',
  resolveType: resolveNodeType,
})
export abstract class Reportable {
  // `id` comes from Node (implements); viewerCanReport, viewerHasReported and openReportCount are
  // resolved for every implementation at once (ReportableFieldResolver), batched per page.
}

@ObjectType('ReportEdge', { description: 'A report in a list of reports.' })
export class ReportEdge extends Edge<Report>(() => Report, { one: 'report' }) {}

@ObjectType('ReportConnection', { description: 'Reports of one status.' })
export class ReportConnection extends Connection<Report, ReportEdge>(
  () => ReportEdge,
  () => Report,
  {
    many: 'reports',
    totalCount: 'All reports of this status.',
  },
) {}

@ObjectType('ModerationQueueUpdate', { description: 'One message of Subscription.moderationQueueUpdated: one change of one report.' })
export class ModerationQueueUpdate {
  @Field(() => String, { description: 'Pass it as `after` to resume right after this message.' })
  cursor: string;

  @Field(() => ReportStatus, {
    description: 'The status this change gave the report: OPEN when it was created, ACTIONED or DISMISSED when it was resolved.',
  })
  status: string;

  @Field(() => Report, { description: 'The report as it is now (its status may have moved on since this change).' })
  report: Report;

  constructor(cursor: string, status: string, report: Report) {
    this.cursor = cursor;
    this.status = status;
    this.report = report;
  }
}
