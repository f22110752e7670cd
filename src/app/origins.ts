/**
 * Which browser pages may use the API, one rule for both transports.
 *
 * Browsers apply no same-origin rule to WebSockets: any page may open one to any server, from its
 * visitors' browsers and addresses. Tokens travel in connectionParams rather than cookies, so such a
 * page cannot ride a member's session today, but it can use our sockets as its own backend (and would
 * ride sessions the day a cookie carried them). What tells us which page asks is the `Origin` header
 * the browser adds to the handshake, which page scripts cannot set. So a handshake is accepted when:
 * - it has no `Origin` (a server or script, not a browser page: nothing to protect against);
 * - the origin is the server's own: the scheme and `Host` of the upgrade request itself, so a page
 *   served from http://127.0.0.1:4000 may open ws://127.0.0.1:4000/graphql;
 * - the origin is listed in ALLOWED_ORIGINS.
 * Everything else (another site, another port, `null` from sandboxed frames and files) is refused.
 *
 * Over HTTP the same list drives CORS (the `cors` package): listed origins get the headers that let
 * their pages read answers; others get none and the browser keeps the answer from them (Apollo's
 * CSRF prevention already refuses the simple requests a browser sends without asking).
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import cors from 'cors';
import type { RequestHandler } from 'express';

/** The origin browsers would send for `url`, or null when it is not an http(s) origin. */
function normalised(origin: string): string | null {
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null;
  } catch {
    return null;
  }
}

/**
 * The origin of the server as this request reached it: its scheme and `Host`. Behind a proxy that
 * terminates TLS the request arrives over plain HTTP, so the public https origin is not "own":
 * list it in ALLOWED_ORIGINS.
 */
export function ownOrigin(request: IncomingMessage): string | null {
  const host = request.headers.host;
  if (!host) return null;
  const scheme = (request.socket as TLSSocket).encrypted ? 'https' : 'http';
  return normalised(`${scheme}://${host}`);
}

export interface OriginPolicy {
  /** Whether a WebSocket handshake with this `Origin` header (undefined: none) may be upgraded. */
  acceptsHandshake(origin: string | undefined, request: IncomingMessage): boolean;
  /** CORS for HTTP: headers for listed origins only. */
  cors: RequestHandler;
}

export function createOriginPolicy(allowedOrigins: readonly string[]): OriginPolicy {
  const allowed = new Set(allowedOrigins);
  const isListed = (origin: string) => allowed.has(normalised(origin) ?? '');
  const corsForListed = cors({
    origin: (origin, callback) => callback(null, origin !== undefined && isListed(origin)),
    // What Apollo serves: queries by GET, everything by POST.
    methods: ['GET', 'POST'],
    // Bearer tokens, never cookies: no credentials mode.
    credentials: false,
    // What a page may read besides the body: the id an error quotes, and when to retry.
    exposedHeaders: ['x-request-id', 'retry-after'],
    // Browsers ask once per ten minutes rather than before every operation.
    maxAge: 600,
  });
  return {
    acceptsHandshake: (origin, request) => {
      if (origin === undefined) return true;
      if (isListed(origin)) return true;
      const own = ownOrigin(request);
      return own !== null && normalised(origin) === own;
    },
    // No Origin header (not a browser page: scripts, servers, the bench): the origin callback would
    // say no and cors add nothing, after building its options for the request; skip straight on.
    cors: (req, res, next) => (req.headers.origin === undefined ? next() : corsForListed(req, res, next)),
  };
}
