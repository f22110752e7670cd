/**
 * Revoked sessions end on the sockets already open with them, on every instance.
 *
 * A token is checked when a socket connects; a socket stays open for hours. So when a session ends
 * (logOut today; a password change, an account deletion or a suspension may end all of a member's),
 * the service publishes `sessionsRevoked` after its commit, the event bus hands it to this instance
 * and the Redis relay to the others, and each closes its matching sockets with 4403 Forbidden, as a
 * connection with that token would be refused. A socket still authenticating at that moment is
 * refused too (see LiveServer.closeWhere), so none slips through between its check and the commit.
 *
 * Redis pub/sub is at-most-once: a revocation published while an instance's Redis connection was
 * down never reaches it. So whenever the relay resyncs after an outage, each instance also checks
 * the sessions of its open sockets against the database and closes those that ended meanwhile.
 */
import { CloseCode } from 'graphql-ws';
import type { Logger } from '../logger';
import type { MemberService } from '../modules/member/member.service';
import type { DomainEvent } from '../modules/events';
import type { DomainEventBus } from '../realtime/domain-events';
import type { LiveServer } from '../realtime/ws-server';
import type { Viewer } from './request-context';

type SessionsRevoked = Extract<DomainEvent, { type: 'sessionsRevoked' }>;

/** Whether `event` ends the session `viewer` signed in with. */
export function revokes(event: SessionsRevoked, viewer: Viewer): boolean {
  if (viewer.member.id !== event.memberId) return false;
  return event.tokenHashes === null || event.tokenHashes.includes(viewer.tokenHash);
}

/** Closes this instance's sockets whose session no longer exists in the database (after events may have been lost). */
export async function closeSocketsOfEndedSessions(live: LiveServer<Viewer>, members: MemberService, logger: Logger): Promise<void> {
  const checked = new Set(live.viewers().map((viewer) => viewer.tokenHash));
  if (checked.size === 0) return;
  const stillLive = await members.liveTokenHashes([...checked]);
  // Only sessions checked and found gone: sockets that connected meanwhile were checked when they connected.
  const ended = (viewer: Viewer) => checked.has(viewer.tokenHash) && !stillLive.has(viewer.tokenHash);
  const closed = live.closeWhere(ended, CloseCode.Forbidden, 'Forbidden');
  if (closed > 0) logger.info('closed the sockets of sessions revoked while events were lost', { sockets: closed });
}

/** Closes this instance's sockets of every revoked session from now on; returns the unsubscribe. */
export function closeRevokedSockets(events: DomainEventBus<DomainEvent>, live: LiveServer<Viewer>, logger: Logger): () => void {
  return events.subscribe((event) => {
    if (event.type !== 'sessionsRevoked') return;
    const closed = live.closeWhere((viewer) => revokes(event, viewer), CloseCode.Forbidden, 'Forbidden');
    if (closed > 0) logger.info('closed the sockets of a revoked session', { memberId: event.memberId, sockets: closed });
  });
}
