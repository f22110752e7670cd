/**
 * GET /polls/<poll id>/results.csv[?by=INDUSTRY|COMPANY_SIZE] (api/insights.graphql): the HTTP
 * edge of the results export. Here: the bearer token (the same lookup as GraphQL's, so a revoked
 * token is refused at once), the id decoded, the coded errors as statuses with GraphQL-shaped
 * JSON bodies, and the headers. What is exported, and to whom, is ResultsExportService's.
 *
 * Answers, checked in this order: 401 (no header, or an invalid or revoked token; with
 * WWW-Authenticate: Bearer), 404, 403, 400, 200. Every answer, errors included, carries
 * Cache-Control: no-store: the file holds figures a shared cache must never hand to someone else.
 * A token in the query string is never read: it would end up in logs and browser histories.
 */
import express from 'express';
import { ClientError, ErrorCode, UnauthenticatedError } from '../graphql/errors';
import { fromGlobalId } from '../graphql/global-id';
import { SERVICE_UNAVAILABLE_RETRY_AFTER_S } from '../graphql/http-status';
import { ResultsExportService } from '../modules/insights/results-export.service';
import type { Services } from '../modules/services';
import { authenticate } from './request-context';

/** No capture group: express would decode it itself, and answer an undecodable id with its own error. */
const RESULTS_CSV_PATH = /^\/polls\/[^/]+\/results\.csv$/;
const ID_SEGMENT = /^\/polls\/([^/]+)\//;

/** The status of each code this route answers; any other error goes to the shell's handler (logged, masked 500). */
const STATUS_BY_CODE: Readonly<Partial<Record<string, number>>> = {
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.SERVICE_UNAVAILABLE]: 503,
};

/** The poll's database id named by the path segment; null when it names no poll (malformed, undecodable, another type). */
function pollIdOf(segment: string): number | null {
  let id: string;
  try {
    id = decodeURIComponent(segment);
  } catch {
    return null;
  }
  const decoded = fromGlobalId(id);
  return decoded?.type === 'Poll' ? decoded.id : null;
}

function sendError(res: express.Response, error: ClientError, status: number): void {
  const code = String(error.extensions.code);
  if (code === ErrorCode.UNAUTHENTICATED) res.setHeader('www-authenticate', 'Bearer');
  if (code === ErrorCode.SERVICE_UNAVAILABLE) res.setHeader('retry-after', String(SERVICE_UNAVAILABLE_RETRY_AFTER_S));
  res.status(status).json({ errors: [{ message: error.message, extensions: error.extensions }] });
}

export function resultsCsvRoutes(services: Services): express.Router {
  const exports = new ResultsExportService(services.pollReads, services.settings.minGroupSize);
  const router = express.Router();
  // Matched on the raw path and decoded here: an undecodable id (%ZZ) is a 404 after the token check.
  router.get(RESULTS_CSV_PATH, async (req, res, next) => {
    res.setHeader('cache-control', 'no-store');
    try {
      const viewer = await authenticate(services, req.header('authorization'));
      // Unlike GraphQL, the export has no anonymous answer.
      if (!viewer) throw new UnauthenticatedError('GET /polls/<poll id>/results.csv needs Authorization: Bearer <token> (a token from signUp or logIn).');
      const segment = ID_SEGMENT.exec(req.path)?.[1] ?? '';
      const csv = await exports.csv(viewer.member, pollIdOf(segment), req.query.by);
      res.status(200);
      res.setHeader('content-type', 'text/csv; charset=utf-8');
      res.setHeader('content-disposition', 'attachment; filename="poll-results.csv"');
      res.send(Buffer.from(csv, 'utf8'));
    } catch (error) {
      const status = error instanceof ClientError ? STATUS_BY_CODE[String(error.extensions.code)] : undefined;
      if (status !== undefined) return sendError(res, error as ClientError, status);
      next(error);
    }
  });
  return router;
}
