/**
 * The server's own HTTP timeouts: a client that sends half a request
 * (slowloris) or trickles its body is cut off, an idle keep-alive
 * connection is closed, and a long-lived WebSocket is not affected by any
 * of them. Short timeouts here; the defaults are 10 s, 30 s and 5 s.
 */
import net from 'node:net';
import { collect, connect } from './helpers/live';
import { startTestServer, TestServer } from './helpers/server';

const HEADERS_MS = 600;
const REQUEST_MS = 1200;
const KEEP_ALIVE_MS = 400;

/** Opens a raw socket, writes `data`, and resolves with what came back and how long until the server closed it. */
function rawExchange(port: number, data: string, giveUpMs = 8000): Promise<{ response: string; closedAfterMs: number | null }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1', () => socket.write(data));
    let response = '';
    socket.on('data', (chunk) => (response += chunk));
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ response, closedAfterMs: null });
    }, giveUpMs);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ response, closedAfterMs: Date.now() - started });
    });
  });
}

describe('HTTP timeouts', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({
      env: { HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_MS), HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_MS), HTTP_KEEP_ALIVE_TIMEOUT_MS: String(KEEP_ALIVE_MS) },
    });
  });

  it('closes sockets that never finish their headers, all of them, after the header timeout', async () => {
    const halfRequest = 'POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n';
    const outcomes = await Promise.all(Array.from({ length: 50 }, () => rawExchange(t.server.port, halfRequest)));
    for (const { response, closedAfterMs } of outcomes) {
      expect(closedAfterMs).not.toBeNull();
      expect(closedAfterMs!).toBeGreaterThanOrEqual(HEADERS_MS - 100);
      expect(response).toMatch(/^HTTP\/1\.1 408/);
    }
  });

  it('closes a request whose body never arrives after the request timeout', async () => {
    const trickle = 'POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{"query":';
    const { response, closedAfterMs } = await rawExchange(t.server.port, trickle);
    expect(closedAfterMs).not.toBeNull();
    expect(closedAfterMs!).toBeGreaterThanOrEqual(REQUEST_MS - 100);
    expect(response).toMatch(/^HTTP\/1\.1 408/);
  });

  it('closes an idle keep-alive connection after the keep-alive timeout', async () => {
    const request = 'GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n';
    const { response, closedAfterMs } = await rawExchange(t.server.port, request);
    expect(response).toMatch(/^HTTP\/1\.1 200/);
    expect(response).toMatch(/keep-alive: timeout=\d+/i);
    expect(closedAfterMs).not.toBeNull();
    expect(closedAfterMs!).toBeGreaterThanOrEqual(KEEP_ALIVE_MS - 100);
    // Node's own default would keep it 5 s; the setting, not the default, closed it (Node adds up to 1 s of grace).
    expect(closedAfterMs!).toBeLessThan(3000);
  });

  it('leaves WebSockets alone: a subscription outlives every timeout and still receives events', async () => {
    const member = await t.signUp();
    const thread = await t.gql(`mutation { createThread(input: { title: "Long-lived", body: "x" }) { thread { id } } }`, {}, member.token);
    const postId = thread.data.createThread.thread.id;
    const client = connect(t);
    try {
      const stats = collect(client, `subscription ($postId: ID!) { postStatsUpdated(postId: $postId) { commentCount } }`, { postId });
      await stats.until((messages) => messages.length === 1);
      await new Promise((resolve) => setTimeout(resolve, REQUEST_MS + HEADERS_MS + 1000));
      await t.gql(
        `mutation ($input: AddCommentInput!) { addComment(input: $input) { comment { id } } }`,
        { input: { postId, body: 'still there?' } },
        member.token,
      );
      await stats.until((messages) => messages.some((message) => message.data?.postStatsUpdated.commentCount === 1));
      expect(stats.errors).toBeNull();
    } finally {
      await client.dispose();
    }
  });
});
