/**
 * Reports by id and Reportable's fields, batched: a page of posts, comments or members costs one
 * query per kind of data, not one per item. viewerHasReported depends on who asks (viewer
 * loaders); in the live API it goes through the shared pair loader, so every subscriber's flags of
 * one pushed message cost one query together. A report made or resolved in this request makes the
 * request's counts and flags stale: afterReportChange forgets them.
 */
import DataLoader from 'dataloader';
import { byId } from '../../graphql/loaders';
import type { PostKind } from '../post/post.entity';
import type { Report } from './report.entity';
import { ReportService, ReportSubject, subjectKey } from './report.service';

type Reports = Pick<ReportService, 'findByIds' | 'openReportCounts' | 'openReportsAmong' | 'postKinds'>;

/** Answers that are the same whoever asks (the live API shares them between subscribers). */
export interface ReportLoaders {
  reportById: DataLoader<number, Report | null>;
  /** OPEN reports on a subject, each reporter once (Reportable.openReportCount, for moderators). */
  openReportCountBySubject: DataLoader<ReportSubject, number, string>;
  /** "memberId:POST:12" -> whether that member has an OPEN report on it, for many viewers at once. */
  reportedByMemberAndSubject: DataLoader<string, boolean>;
  /** A post's kind, deleted posts included (Report.subjectId). */
  postKindById: DataLoader<number, PostKind | null>;
}

/** The viewer's own flags. */
export interface ReportViewerLoaders {
  viewerHasReportedBySubject: DataLoader<ReportSubject, boolean, string>;
  /** The viewer reported or resolved something in this request: counts and flags are read again. */
  afterReportChange(): void;
}

export function createReportLoaders(reports: Reports): ReportLoaders {
  return {
    reportById: byId((ids) => reports.findByIds(ids)),
    openReportCountBySubject: new DataLoader<ReportSubject, number, string>(
      async (subjects) => {
        const counts = await reports.openReportCounts(subjects);
        return subjects.map((subject) => counts.get(subjectKey(subject)) ?? 0);
      },
      { cacheKeyFn: subjectKey },
    ),
    reportedByMemberAndSubject: new DataLoader<string, boolean>(async (keys) => {
      const pairs = keys.map(parsePairKey);
      const found = await reports.openReportsAmong([...new Set(pairs.map((pair) => pair.memberId))], pairs);
      return keys.map((key) => found.has(key));
    }),
    postKindById: new DataLoader<number, PostKind | null>(async (ids) => {
      const kinds = await reports.postKinds(ids);
      return ids.map((id) => kinds.get(id) ?? null);
    }),
  };
}

/**
 * `throughShared`: for a live delivery the flags go through the shared pair loader (every
 * subscriber's flags of one flush in one query); for a request they are one query of their own.
 */
export function createReportViewerLoaders(reports: Reports, viewerId: number | null, shared: ReportLoaders, throughShared: boolean): ReportViewerLoaders {
  const viewerHasReportedBySubject = new DataLoader<ReportSubject, boolean, string>(
    async (subjects) => {
      if (viewerId === null) return subjects.map(() => false);
      if (throughShared) return shared.reportedByMemberAndSubject.loadMany(subjects.map((subject) => `${viewerId}:${subjectKey(subject)}`));
      const found = await reports.openReportsAmong([viewerId], subjects);
      return subjects.map((subject) => found.has(`${viewerId}:${subjectKey(subject)}`));
    },
    { cacheKeyFn: subjectKey },
  );
  return {
    viewerHasReportedBySubject,
    afterReportChange() {
      viewerHasReportedBySubject.clearAll();
      shared.openReportCountBySubject.clearAll();
      shared.reportedByMemberAndSubject.clearAll();
      shared.reportById.clearAll();
    },
  };
}

function parsePairKey(key: string): ReportSubject & { memberId: number } {
  const [memberId, type, id] = key.split(':');
  return { memberId: Number(memberId), type: type as ReportSubject['type'], id: Number(id) };
}
