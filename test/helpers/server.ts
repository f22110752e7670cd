/**
 * Starts a real server on an ephemeral port with a fresh SQLite file, and
 * talks GraphQL to it over HTTP. Every test file disposes what it started.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, RunningServer } from '../../src/app';
import { loadConfig } from '../../src/config';

export interface GraphQLResponse<T = any> {
  status: number;
  headers: Headers;
  data?: T;
  errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, any> }>;
}

export interface TestServer {
  server: RunningServer;
  url: string;
  baseUrl: string;
  /** POSTs one operation; `token` goes in Authorization: Bearer. */
  gql<T = any>(query: string, variables?: Record<string, unknown>, token?: string | null, headers?: Record<string, string>): Promise<GraphQLResponse<T>>;
  /** Signs up a fresh member and returns its token and global id. */
  signUp(overrides?: Partial<{ email: string; title: string; industry: string | null; companySize: string }>): Promise<{ token: string; id: string }>;
  stop(): Promise<void>;
}

let counter = 0;

export async function startTestServer(options: { demo?: boolean; env?: Record<string, string> } = {}): Promise<TestServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peer-community-test-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: `sqlite:${path.join(dir, 'test.sqlite')}`,
    DEMO_DATA: options.demo ? '1' : '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    NODE_ENV: 'test',
    ...options.env,
  });
  const server = await startServer(config);
  const url = `http://127.0.0.1:${server.port}/graphql`;

  const gql: TestServer['gql'] = async (query, variables, token, headers = {}) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: any; errors?: any[] };
    return { status: response.status, headers: response.headers, data: body.data ?? undefined, errors: body.errors };
  };

  const signUp: TestServer['signUp'] = async (overrides = {}) => {
    counter += 1;
    const result = await gql(
      `mutation SignUp($input: SignUpInput!) { signUp(input: $input) { token member { id } } }`,
      {
        input: {
          email: overrides.email ?? `member${counter}-${process.pid}@example.test`,
          password: 'correct horse battery',
          title: overrides.title ?? 'Director of IT',
          industry: overrides.industry === undefined ? 'Software' : overrides.industry,
          companySize: overrides.companySize ?? 'EMPLOYEES_201_TO_500',
        },
      },
    );
    if (!result.data?.signUp) throw new Error(`signUp failed: ${JSON.stringify(result.errors)}`);
    return { token: result.data.signUp.token, id: result.data.signUp.member.id };
  };

  return {
    server,
    url,
    baseUrl: `http://127.0.0.1:${server.port}`,
    gql,
    signUp,
    stop: async () => {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The codes of a response's errors, for asserting on codes rather than messages. */
export function codesOf(response: GraphQLResponse): string[] {
  return (response.errors ?? []).map((error) => error.extensions?.code);
}
