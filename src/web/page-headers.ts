/**
 * Headers of every browser page and asset this server sends: a Content-Security-Policy that
 * allows only the server's own origin (scripts, styles, images, fonts, fetch and WebSocket), and
 * the usual hardening beside it. The pages' scripts and styles are bundled files (never inline),
 * so no 'unsafe-inline' is needed for them.
 */
import type { Response } from 'express';

/**
 * 'self' covers ws:// and wss:// to the same host and port in current Chromium and Firefox (CSP
 * level 3); the explicit form would need the Host header, which a client chooses.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  // No page starts a worker (GraphiQL 4's editors are CodeMirror 5, with none): no blob: either.
  "worker-src 'self'",
  "frame-ancestors 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "object-src 'none'",
].join('; ');

export function setPageHeaders(res: Response, options: { frameable?: boolean } = {}): void {
  res.setHeader(
    'content-security-policy',
    options.frameable ? CONTENT_SECURITY_POLICY.replace("frame-ancestors 'self'", 'frame-ancestors *') : CONTENT_SECURITY_POLICY,
  );
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
  if (!options.frameable) res.setHeader('x-frame-options', 'SAMEORIGIN');
}
