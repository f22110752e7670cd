import type { WebSocket } from 'ws';
import { CLOSED_WHILE_AUTHENTICATING, ViewerSockets } from './viewer-sockets';

interface FakeSocket {
  readyState: number;
  OPEN: number;
  CLOSED: number;
  closedWith: [number, string] | null;
  close(code: number, reason: string): void;
  terminate(): void;
}

function fakeSocket(): FakeSocket & WebSocket {
  const socket: FakeSocket = {
    readyState: 1,
    OPEN: 1,
    CLOSED: 3,
    closedWith: null,
    close(code, reason) {
      socket.closedWith = [code, reason];
      socket.readyState = 3;
    },
    terminate() {},
  };
  return socket as FakeSocket & WebSocket;
}

type Viewer = { memberId: number; token: string };

describe('ViewerSockets', () => {
  it('closes the open sockets whose viewer matches, and only those', async () => {
    const sockets = new ViewerSockets<Viewer>();
    const [mine, mineElsewhere, theirs, anonymous] = [fakeSocket(), fakeSocket(), fakeSocket(), fakeSocket()];
    await sockets.admit(mine, async () => ({ memberId: 1, token: 'a' }));
    await sockets.admit(mineElsewhere, async () => ({ memberId: 1, token: 'b' }));
    await sockets.admit(theirs, async () => ({ memberId: 2, token: 'c' }));
    expect(await sockets.admit(anonymous, async () => null)).toBeNull();

    expect(sockets.closeWhere((viewer) => viewer.token === 'a', 4403, 'Forbidden')).toBe(1);
    expect(mine.closedWith).toEqual([4403, 'Forbidden']);
    expect([mineElsewhere, theirs, anonymous].map((socket) => socket.closedWith)).toEqual([null, null, null]);
    expect(sockets.viewers()).toEqual([
      { memberId: 1, token: 'b' },
      { memberId: 2, token: 'c' },
    ]);
  });

  it('refuses a socket whose authentication was in flight when its session was closed', async () => {
    const sockets = new ViewerSockets<Viewer>();
    let finish: (viewer: Viewer) => void = () => {};
    const socket = fakeSocket();
    const admitted = sockets.admit(socket, () => new Promise<Viewer>((resolve) => (finish = resolve)));
    // The token check read the session before the revocation committed; the revocation arrives first.
    expect(sockets.closeWhere((viewer) => viewer.memberId === 1, 4403, 'Forbidden')).toBe(0);
    finish({ memberId: 1, token: 'a' });
    expect(await admitted).toBe(CLOSED_WHILE_AUTHENTICATING);
    expect(sockets.viewers()).toEqual([]);

    // Another member authenticating at the same moment is not affected.
    const other = sockets.admit(fakeSocket(), () => new Promise<Viewer>((resolve) => (finish = resolve)));
    sockets.closeWhere((viewer) => viewer.memberId === 1, 4403, 'Forbidden');
    finish({ memberId: 2, token: 'c' });
    expect(await other).toEqual({ memberId: 2, token: 'c' });
  });

  it('forgets sockets that closed, including one that closed while authenticating', async () => {
    const sockets = new ViewerSockets<Viewer>();
    const gone = fakeSocket();
    await sockets.admit(gone, async () => {
      gone.readyState = gone.CLOSED;
      return { memberId: 1, token: 'a' };
    });
    const open = fakeSocket();
    await sockets.admit(open, async () => ({ memberId: 1, token: 'b' }));
    sockets.remove(open);
    expect(sockets.viewers()).toEqual([]);
  });
});
