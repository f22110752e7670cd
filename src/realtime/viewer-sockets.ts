/**
 * The open WebSockets of signed-in viewers, so that a session that ends (its token revoked) can end
 * its sockets too. Knows nothing of tokens or members: a viewer is whatever the caller's
 * authentication returned, and the caller says which viewers to close.
 *
 * Ordering guarantee: a socket whose authentication is in flight when closeWhere runs is checked
 * against that call's predicate once its viewer is known. Its token check may have read the session
 * just before the revocation committed; without this it would stay open with a revoked session.
 */
import type { WebSocket } from 'ws';

/** How long a closed socket may take to answer the close frame before it is dropped. */
export const CLOSE_GRACE_MS = 1000;

type Matcher<TViewer> = (viewer: TViewer) => boolean;

/** What admit() returns for a socket whose session was closed while it authenticated. */
export const CLOSED_WHILE_AUTHENTICATING = Symbol('closed while authenticating');

export class ViewerSockets<TViewer> {
  private readonly open = new Map<WebSocket, TViewer>();
  /** For each socket still authenticating: the closeWhere predicates called meanwhile. */
  private readonly authenticating = new Set<Array<Matcher<TViewer>>>();

  /**
   * Authenticates a new socket with `authenticate` (its errors propagate) and tracks it when it is
   * signed in; CLOSED_WHILE_AUTHENTICATING when a closeWhere during the check matched its viewer.
   */
  async admit(socket: WebSocket, authenticate: () => Promise<TViewer | null>): Promise<TViewer | null | typeof CLOSED_WHILE_AUTHENTICATING> {
    const closedMeanwhile: Array<Matcher<TViewer>> = [];
    this.authenticating.add(closedMeanwhile);
    try {
      const viewer = await authenticate();
      if (viewer === null) return null;
      if (closedMeanwhile.some((matches) => matches(viewer))) return CLOSED_WHILE_AUTHENTICATING;
      // A socket that closed while authenticating never reports its close again: not tracked.
      if (socket.readyState === socket.OPEN) this.open.set(socket, viewer);
      return viewer;
    } finally {
      this.authenticating.delete(closedMeanwhile);
    }
  }

  /** The socket closed: forget it. */
  remove(socket: WebSocket): void {
    this.open.delete(socket);
  }

  /** Closes the open sockets whose viewer matches (and refuses matching ones still authenticating); returns how many were open. */
  closeWhere(matches: Matcher<TViewer>, code: number, reason: string): number {
    for (const predicates of this.authenticating) predicates.push(matches);
    let closed = 0;
    for (const [socket, viewer] of this.open) {
      if (!matches(viewer)) continue;
      this.open.delete(socket);
      closeSocket(socket, code, reason);
      closed++;
    }
    return closed;
  }

  /** The viewer of every open signed-in socket. */
  viewers(): TViewer[] {
    return [...this.open.values()];
  }
}

/** Closes a socket; one that has not answered the close frame after the grace period is dropped. */
function closeSocket(socket: WebSocket, code: number, reason: string): void {
  // From here on graphql-ws sends nothing more to it (it sends only to OPEN sockets).
  socket.close(code, reason);
  setTimeout(() => {
    if (socket.readyState !== socket.CLOSED) socket.terminate();
  }, CLOSE_GRACE_MS).unref();
}
