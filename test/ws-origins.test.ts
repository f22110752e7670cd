/**
 * Which pages may use the API: WebSocket handshakes from another origin are refused with HTTP 403
 * before the upgrade; the server's own origin, ALLOWED_ORIGINS and clients without an Origin
 * (servers, scripts) are served. Over HTTP the same list drives CORS.
 */
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import { collect, wsUrl } from './helpers/live';
import { startTestServer, TestServer } from './helpers/server';

const ALLOWED = 'https://app.example.com';

/** What became of a handshake: the socket opened (and graphql-ws acknowledged it), or the HTTP status it was refused with. */
async function handshake(t: TestServer, origin?: string): Promise<{ opened: true } | { status: number }> {
  const socket = new WebSocket(wsUrl(t), 'graphql-transport-ws', origin === undefined ? {} : { headers: { Origin: origin } });
  try {
    return await new Promise((resolve, reject) => {
      socket.once('unexpected-response', (_request, response) => resolve({ status: response.statusCode ?? 0 }));
      socket.once('error', reject);
      socket.once('open', () => {
        socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
        socket.once('message', (data) => {
          expect(JSON.parse(String(data))).toEqual({ type: 'connection_ack' });
          resolve({ opened: true });
        });
      });
    });
  } finally {
    socket.terminate();
  }
}

describe('origins of WebSocket handshakes and CORS', () => {
  let t: TestServer;

  beforeAll(async () => {
    // Listed with a trailing slash and in capitals: compared as browsers send origins.
    t = await startTestServer({ env: { ALLOWED_ORIGINS: ` HTTPS://App.Example.com/ , http://localhost:5173` } });
  });
  afterAll(() => t.stop());

  describe('WebSocket handshakes', () => {
    it.each([
      ['another site', 'http://evil.example'],
      ['a look-alike of an allowed origin', 'https://app.example.com.evil.example'],
      ['an allowed host with another scheme', 'http://app.example.com'],
      ['a sandboxed frame or file (Origin: null)', 'null'],
      ['not an origin at all', 'garbage'],
    ])('refuses %s with HTTP 403 before upgrading', async (_case, origin) => {
      expect(await handshake(t, origin)).toEqual({ status: 403 });
    });

    it("refuses another port or scheme of the server's own host", async () => {
      expect(await handshake(t, `http://127.0.0.1:${t.server.port + 1}`)).toEqual({ status: 403 });
      expect(await handshake(t, `https://127.0.0.1:${t.server.port}`)).toEqual({ status: 403 });
    });

    it("accepts the server's own origin: a page it served may open its socket", async () => {
      expect(await handshake(t, `http://127.0.0.1:${t.server.port}`)).toEqual({ opened: true });
    });

    it('accepts the origins listed in ALLOWED_ORIGINS', async () => {
      expect(await handshake(t, ALLOWED)).toEqual({ opened: true });
      expect(await handshake(t, 'http://localhost:5173')).toEqual({ opened: true });
    });

    it('accepts clients that send no Origin (servers and scripts)', async () => {
      expect(await handshake(t)).toEqual({ opened: true });
    });

    it('serves subscriptions to a page of an allowed origin', async () => {
      const member = await t.signUp();
      const created = await t.gql(CREATE_THREAD, { input: { title: 'Origins', body: 'Who may open a socket?' } }, member.token);
      const postId = created.data.createThread.thread.id;
      /** What a browser on that page does: the WebSocket carries the page's origin. */
      class FromAllowedPage extends WebSocket {
        constructor(url: string, protocols?: string | string[]) {
          super(url, protocols, { headers: { Origin: ALLOWED } });
        }
      }
      const client = createClient({
        url: wsUrl(t),
        webSocketImpl: FromAllowedPage,
        retryAttempts: 0,
        connectionParams: { authorization: `Bearer ${member.token}` },
      });
      try {
        const stats = collect(client, POST_STATS, { postId });
        await stats.until((messages) => messages.length === 1);
        expect(stats.messages[0]).toEqual({ data: { postStatsUpdated: { commentCount: 0 } } });
      } finally {
        await client.dispose();
      }
    });
  });

  describe('CORS over HTTP', () => {
    const preflight = (origin: string) =>
      fetch(t.url, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
      });
    const post = (origin: string) =>
      fetch(t.url, { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });

    it('answers the preflight of an allowed origin, and its requests with CORS headers', async () => {
      const answer = await preflight(ALLOWED);
      expect(answer.status).toBe(204);
      expect(answer.headers.get('access-control-allow-origin')).toBe(ALLOWED);
      expect(answer.headers.get('access-control-allow-methods')).toContain('POST');
      expect(answer.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
      expect(answer.headers.get('access-control-allow-credentials')).toBeNull();

      const response = await post(ALLOWED);
      expect(response.status).toBe(200);
      expect(((await response.json()) as { data?: unknown }).data).toEqual({ __typename: 'Query' });
      expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
      expect(response.headers.get('access-control-expose-headers')?.toLowerCase()).toContain('x-request-id');
      expect(response.headers.get('vary')?.toLowerCase()).toContain('origin');
    });

    it('gives a disallowed origin no CORS headers, so its pages cannot read the answers', async () => {
      const answer = await preflight('http://evil.example');
      expect(answer.headers.get('access-control-allow-origin')).toBeNull();
      expect(answer.headers.get('access-control-allow-headers')).toBeNull();

      const response = await post('http://evil.example');
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      expect(response.headers.get('access-control-expose-headers')).toBeNull();
    });
  });
});

const CREATE_THREAD = `mutation CreateThread($input: CreateThreadInput!) { createThread(input: $input) { thread { id } } }`;
const POST_STATS = `subscription PostStats($postId: ID!) { postStatsUpdated(postId: $postId) { commentCount } }`;
