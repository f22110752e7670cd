/**
 * The report vocabulary (moderation.graphql): where a report stands and how resolveReport closes it.
 * Registered once here: the moderation log (ModerationLogEntry.resolution) uses ReportStatus too.
 */
import { registerEnumType } from 'type-graphql';

/** Where a report stands; stored as these names (reports.status, report_queue_changes.status). */
export enum ReportStatus {
  OPEN = 'OPEN',
  ACTIONED = 'ACTIONED',
  DISMISSED = 'DISMISSED',
}

/** How resolveReport closes a report: the status it gets. */
export enum ReportResolution {
  ACTIONED = 'ACTIONED',
  DISMISSED = 'DISMISSED',
}

registerEnumType(ReportStatus, {
  name: 'ReportStatus',
  description: 'Where a report stands.',
  valuesConfig: {
    OPEN: { description: 'Waiting for a moderator.' },
    ACTIONED: { description: 'A moderator acted on it (resolveReport ACTIONED, or moderateContent HIDE or REMOVE of its subject).' },
    DISMISSED: { description: 'A moderator found nothing to do.' },
  },
});

registerEnumType(ReportResolution, {
  name: 'ReportResolution',
  description: 'How resolveReport closes a report.',
  valuesConfig: {
    ACTIONED: { description: 'A moderator acted on the subject (or will: resolving changes nothing by itself).' },
    DISMISSED: { description: 'Nothing to do.' },
  },
});
