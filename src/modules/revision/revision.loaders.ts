/**
 * Revisions by id, pages of items' versions and their counts, batched per
 * request: the revisions of every post or comment of a page cost one query
 * (a window function ranks them), not one per item. An edit makes the
 * request's cached pages stale: afterEdit forgets them.
 */
import DataLoader from 'dataloader';
import { byId } from '../../graphql/loaders';
import type { Page } from '../../graphql/pagination';
import type { Revision } from './revision.entity';
import { RevisionPageRequest, RevisionService, RevisionSubject, subjectKey } from './revision.service';

export interface RevisionLoaders {
  revisionById: DataLoader<number, Revision | null>;
  /** One page of one item's versions, newest first. */
  revisionPageByRequest: DataLoader<RevisionPageRequest, Page<Revision>, string>;
  revisionCountBySubject: DataLoader<RevisionSubject, number, string>;
  /** A post or comment was edited in this request: its versions are read again. */
  afterEdit(): void;
}

export function createRevisionLoaders(revisions: Pick<RevisionService, 'findByIds' | 'pages' | 'counts'>): RevisionLoaders {
  const revisionPageByRequest = new DataLoader<RevisionPageRequest, Page<Revision>, string>((requests) => revisions.pages(requests), {
    cacheKeyFn: (request) => JSON.stringify([subjectKey(request.subject), request.first, request.after]),
  });
  const revisionCountBySubject = new DataLoader<RevisionSubject, number, string>(
    async (subjects) => {
      const counts = await revisions.counts(subjects);
      return subjects.map((subject) => counts.get(subjectKey(subject)) ?? 0);
    },
    { cacheKeyFn: subjectKey },
  );
  return {
    revisionById: byId((ids) => revisions.findByIds(ids)),
    revisionPageByRequest,
    revisionCountBySubject,
    afterEdit() {
      revisionPageByRequest.clearAll();
      revisionCountBySubject.clearAll();
    },
  };
}
