/**
 * The report vocabulary (moderation.graphql): where a report stands and how resolveReport closes it.
 * ReportStatus is registered with the rest of the moderation vocabulary (moderation.enums.ts).
 */
import { registerEnumType } from 'type-graphql';
import { ReportStatus } from '../moderation/moderation.enums';

/** Where a report stands: the moderation vocabulary's (the log's resolution uses it too), registered there. */
export { ReportStatus };

/** How resolveReport closes a report: the status it gets. */
export enum ReportResolution {
  ACTIONED = 'ACTIONED',
  DISMISSED = 'DISMISSED',
}

registerEnumType(ReportResolution, {
  name: 'ReportResolution',
  description: 'How resolveReport closes a report.',
  valuesConfig: {
    ACTIONED: { description: 'A moderator acted on the subject (or will: resolving changes nothing by itself).' },
    DISMISSED: { description: 'Nothing to do.' },
  },
});
