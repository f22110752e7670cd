/**
 * How the IDE talks to this server: queries and mutations over HTTP (POST /graphql), subscriptions
 * over the WebSocket (graphql-ws) on the same URL, both signed in by the Authorization header of
 * the tab's headers editor. Over the WebSocket the server reads the token from connection_init
 * (`connectionParams.authorization`, the README's Live API), not from headers, so each token gets
 * its own socket, opened with that token.
 */
import { createGraphiQLFetcher, Fetcher, FetcherOpts } from '@graphiql/toolkit';
import { DocumentNode, parse } from 'graphql';
import { Client, createClient } from 'graphql-ws';
import { graphqlHttpUrl, graphqlWsUrl } from '../shared/endpoint';
import { TOKEN_PLACEHOLDER } from './example-operations';

/** Close code of a refused token: retrying with the same token never helps. */
const TOKEN_REFUSED = 4403;

/**
 * The tab's headers, without the Authorization placeholder (sending `Bearer <token>` would be
 * refused as UNAUTHENTICATED, so an untouched hint means "anonymous"), and the token's header value.
 */
function headersOf(opts: FetcherOpts | undefined): { headers: Record<string, unknown>; authorization: string | null } {
  const headers: Record<string, unknown> = {};
  let authorization: string | null = null;
  for (const [name, value] of Object.entries(opts?.headers ?? {})) {
    if (name.toLowerCase() !== 'authorization') headers[name] = value;
    else if (typeof value === 'string' && value.trim() !== '' && value.trim() !== TOKEN_PLACEHOLDER) authorization = value.trim();
  }
  if (authorization !== null) headers.authorization = authorization;
  return { headers, authorization };
}

/**
 * One graphql-ws client at a time, for the token in use. Lazy: the socket opens with the first
 * subscription and closes after the last one. A new token disposes the old client (its
 * subscriptions end): the server binds a socket to the member who opened it.
 */
class SocketPerToken {
  private current: { authorization: string | null; client: Client } | null = null;

  clientFor(authorization: string | null): Client {
    if (this.current && this.current.authorization === authorization) return this.current.client;
    void this.current?.client.dispose();
    const client = createClient({
      url: graphqlWsUrl(),
      // Anonymous without a token: never send an empty or placeholder authorization (refused with 4403).
      connectionParams: authorization === null ? {} : { authorization },
      shouldRetry: (event) => (event as { code?: number } | null)?.code !== TOKEN_REFUSED,
    });
    this.current = { authorization, client };
    return client;
  }
}

/**
 * The document as sent. The toolkit picks the WebSocket when the operation is a subscription,
 * judged from the editor's parsed document, which lags a fresh edit (it is parsed after a pause
 * in typing): a subscription run at once would go over HTTP and be refused there.
 */
function documentOf(query: string): DocumentNode | undefined {
  try {
    return parse(query);
  } catch {
    return undefined; // the server reports the syntax error
  }
}

export function createIdeFetcher(): Fetcher {
  const sockets = new SocketPerToken();
  return (params, opts) => {
    const { headers, authorization } = headersOf(opts);
    // A fetcher per call is cheap (a closure over the options) and picks this call's socket.
    const fetcher = createGraphiQLFetcher({ url: graphqlHttpUrl(), wsClient: sockets.clientFor(authorization), enableIncrementalDelivery: false });
    return fetcher(params, { ...opts, headers, documentAST: documentOf(params.query) ?? opts?.documentAST });
  };
}
