/**
 * The live pages (README "Live pages"): /live/polls/<poll id>, /live/dashboard?polls=<id>,...
 * and /live/posts/<post id>, plus their bundle under /live/assets/.
 *
 * The server checks every id before it answers the HTML, so an unknown or malformed id is a
 * clear 404 page rather than a page that stays blank. The pages are anonymous (a projector or a
 * dashboard wall signs in as nobody), so "exists" means what the API shows an anonymous viewer:
 * not deleted, not removed by a moderator. Everything else (question, labels, tallies, comments)
 * the script reads over the WebSocket, as the live API lets an anonymous subscriber see it.
 */
import express from 'express';
import { ServiceUnavailableError } from '../graphql/errors';
import { fromGlobalId, NodeTypeName } from '../graphql/global-id';
import { encodeCursor } from '../graphql/pagination';
import { CommentOrder } from '../modules/comment/comment-order';
import { ANONYMOUS, isRemovedFor } from '../modules/moderation/visibility';
import type { Post } from '../modules/post/post.entity';
import type { Services } from '../modules/services';
import { serveBundle } from './bundles';
import { errorPageHtml, LIVE_ASSETS_PATH, LivePage, livePageHtml, ShellOptions } from './live-html';
import { setPageHeaders } from './page-headers';

/** A dashboard wall shows at most this many polls (two subscriptions each on its one WebSocket). */
export const DASHBOARD_MAX_POLLS = 12;

/** The thread page opens with this many of the latest comments (and replies), then shows new ones as they come. */
export const THREAD_RECENT_COMMENTS = 10;

/**
 * Where the thread page starts reading commentAdded: a cursor fitting `comments(orderBy: OLDEST)`
 * (the only kind `after` takes) that stands for the comment THREAD_RECENT_COMMENTS places before
 * the post's latest. The replay from it shows the latest comments at once, and whatever is posted
 * between this page load and the subscription is replayed rather than missed.
 */
function recentCommentsCursor(post: Post): string {
  return encodeCursor(CommentOrder.OLDEST, [Math.max(0, post.commentSeq - THREAD_RECENT_COMMENTS)]);
}

/** How soon the 503 page reloads itself (and its Retry-After). */
const RETRY_AFTER_SECONDS = 5;

/** An id check, answered as a status and a page. */
class PageRefusal extends Error {
  constructor(
    readonly status: number,
    readonly heading: string,
    readonly detail: string,
  ) {
    super(heading);
  }
}

const notFound = (what: string, id: string) => new PageRefusal(404, `${what} not found`, `There is no ${what.toLowerCase()} with the id “${id}”.`);

/**
 * The posts named by `ids` that an anonymous viewer may see, each of one of `types`; a
 * PageRefusal (404) naming the first id that is malformed, of another type, unknown, deleted or
 * removed. One read for the whole list.
 */
async function visiblePosts(services: Services, ids: readonly string[], types: readonly NodeTypeName[], what: string): Promise<Post[]> {
  const decoded = ids.map((id) => ({ id, ref: fromGlobalId(id) }));
  const malformed = decoded.find(({ ref }) => !ref || !types.includes(ref.type));
  if (malformed) throw notFound(what, malformed.id);
  const posts = await services.posts.findByIds(decoded.map(({ ref }) => ref!.id));
  const byId = new Map(posts.map((post) => [post.id, post]));
  return decoded.map(({ id, ref }) => {
    const post = byId.get(ref!.id);
    // A poll's id names no thread and the other way round (global ids carry the type).
    if (!post || post.typeName !== ref!.type || isRemovedFor(ANONYMOUS, post)) throw notFound(what, id);
    return post;
  });
}

/** The ids of `?polls=a,b,c`: one comma-separated list, 1 to DASHBOARD_MAX_POLLS ids, repeats dropped. */
function dashboardPollIds(query: unknown): string[] {
  const usage = `List the polls to show, separated by commas: /live/dashboard?polls=<poll id>,<poll id> (at most ${DASHBOARD_MAX_POLLS}).`;
  if (typeof query !== 'string') throw new PageRefusal(400, 'Which polls?', usage);
  const ids = [...new Set(query.split(',').map((id) => id.trim()))];
  if (ids.some((id) => id === '')) throw new PageRefusal(400, 'Malformed list of polls', usage);
  if (ids.length > DASHBOARD_MAX_POLLS) throw new PageRefusal(400, 'Too many polls', `${ids.length} polls were listed. ${usage}`);
  return ids;
}

function shellOptions(req: express.Request): ShellOptions {
  return { embed: req.query.embed === '1' };
}

function sendHtml(res: express.Response, status: number, html: string, options: ShellOptions): void {
  // Embedded pages are meant for other sites' iframes; the full pages may be framed only by this origin.
  setPageHeaders(res, { frameable: options.embed });
  // The page is a shell: what it shows comes live, so a cached copy would only hide a deleted poll.
  res.status(status).type('html').setHeader('cache-control', 'no-cache').send(html);
}

/**
 * Answers the page `load` resolves, or its refusal; a 503 page while the database cannot answer
 * (starting, unreachable: /healthz says so too). Anything else goes to the shell's error handler,
 * which logs it in full under the request id, then lets this page answer a 500 page (not JSON).
 */
function page(load: (req: express.Request) => Promise<LivePage>): express.RequestHandler {
  return async (req, res, next) => {
    const options = shellOptions(req);
    try {
      sendHtml(res, 200, livePageHtml(await load(req), options), options);
    } catch (error) {
      if (error instanceof PageRefusal) return sendHtml(res, error.status, errorPageHtml(error.heading, error.detail, options), options);
      if (!(error instanceof ServiceUnavailableError)) {
        const detail = `The server could not show this page. Request id: ${String(res.locals.requestId)}.`;
        res.locals.answerError = () => sendHtml(res, 500, errorPageHtml('Something went wrong', detail, options), options);
        return next(error);
      }
      res.setHeader('retry-after', String(RETRY_AFTER_SECONDS));
      // The page tries again by itself (a wall screen has nobody to press reload); the CSP allows a meta refresh.
      const html = errorPageHtml('Try again shortly', 'The server cannot read the database right now. This page reloads by itself.', {
        ...options,
        refreshSeconds: RETRY_AFTER_SECONDS,
      });
      sendHtml(res, 503, html, options);
    }
  };
}

export function liveRoutes(services: Services): express.Router {
  const router = express.Router();
  router.use(LIVE_ASSETS_PATH, serveBundle('live'));
  router.get(
    '/live/polls/:id',
    page(async (req) => {
      const [poll] = await visiblePosts(services, [String(req.params.id)], ['Poll'], 'Poll');
      return { kind: 'poll', pollId: poll.globalId };
    }),
  );
  router.get(
    '/live/dashboard',
    page(async (req) => {
      const polls = await visiblePosts(services, dashboardPollIds(req.query.polls), ['Poll'], 'Poll');
      return { kind: 'dashboard', pollIds: polls.map((poll) => poll.globalId) };
    }),
  );
  router.get(
    '/live/posts/:id',
    page(async (req) => {
      const [post] = await visiblePosts(services, [String(req.params.id)], ['Thread', 'Poll'], 'Post');
      return { kind: 'thread', postId: post.globalId, after: recentCommentsCursor(post) };
    }),
  );
  // Anything else under /live/ (a missing id, a typo) is a page too, not the API's JSON 404.
  router.get(LIVE_PATHS, sendPageNotFound);
  router.use(undecodablePathsNotFound);
  return router;
}

const LIVE_PATHS = /^\/live(\/.*)?$/;

function sendPageNotFound(req: express.Request, res: express.Response): void {
  const options = shellOptions(req);
  const detail = 'Live pages: /live/polls/<poll id>, /live/dashboard?polls=<id>,<id>, /live/posts/<post id>.';
  sendHtml(res, 404, errorPageHtml('Page not found', detail, options), options);
}

/**
 * A path under /live/ with broken percent-encoding (/live/polls/%ZZ): express cannot decode the
 * id and passes a URIError on, which the shell's error handler would answer as JSON. No page has
 * such an address, so it is the 404 page like any other unknown one.
 */
const undecodablePathsNotFound: express.ErrorRequestHandler = (error, req, res, next) => {
  if (!(error instanceof URIError) || !LIVE_PATHS.test(req.path) || res.headersSent) return next(error);
  sendPageNotFound(req, res);
};
