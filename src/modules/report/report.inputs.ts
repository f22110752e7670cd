/** reportContent's and resolveReport's inputs and payloads; the limits in their descriptions are the ones the service checks. */
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { ModerationReason } from '../moderation/moderation.enums';
import { ReportResolution } from './report.enums';
import { Report } from './report.entity';
import { REPORT_NOTE_MAX } from './report.service';

const max = REPORT_NOTE_MAX.toLocaleString('en-US');

@InputType('ReportContentInput', { description: 'What reportContent reports, and why.' })
export class ReportContentInput {
  @Field(() => ID, { description: 'A thread, poll, comment or member.' })
  subjectId: string;

  @Field(() => ModerationReason, { description: 'Why it is reported.' })
  reason: ModerationReason;

  @Field(() => String, {
    nullable: true,
    description: `Up to ${max} characters (BAD_USER_INPUT on input.note beyond); "" counts as none. Needed with OTHER (BAD_USER_INPUT on input.note without one).`,
  })
  note?: string | null;
}

@ObjectType('ReportContentPayload', { description: 'The result of reportContent.' })
export class ReportContentPayload {
  @Field(() => Report, { description: "The new report, or the viewer's open report on the subject that was already there." })
  report: Report;
}

@InputType('ResolveReportInput', { description: 'The report resolveReport closes, and how.' })
export class ResolveReportInput {
  @Field(() => ID, { description: 'An OPEN report.' })
  reportId: string;

  @Field(() => ReportResolution, { description: 'ACTIONED or DISMISSED.' })
  resolution: ReportResolution;

  @Field(() => String, { nullable: true, description: `Up to ${max} characters; written to the moderation log.` })
  note?: string | null;
}

@ObjectType('ResolveReportPayload', { description: 'The result of resolveReport.' })
export class ResolveReportPayload {
  @Field(() => Report, { description: 'The report, resolved.' })
  report: Report;
}
