/** Talking to the server under test over HTTP, as any client would. */
import { CompanySize } from '../src/modules/member/company-size';
import { SIGN_UP } from './documents';

export interface GraphQLResponse {
  data?: any;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

export async function gql(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLResponse;
}

/** Like gql, but a response with errors throws, naming the operation. */
export async function gqlOk(url: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<any> {
  const result = await gql(url, query, variables, token);
  if (result.errors?.length || !result.data) throw new Error(`${query.slice(0, 60)}...: ${JSON.stringify(result.errors)}`);
  return result.data;
}

let signUps = 0;

/** Signs up `count` new members, a few at a time (scrypt is the cost), and returns their tokens. */
export async function signUpMembers(url: string, count: number, label: string): Promise<string[]> {
  const tokens: string[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const data = await gqlOk(url, SIGN_UP, {
        input: {
          email: `${label}-${process.pid}-${signUps++}@bench.example`,
          password: 'benchmark passphrase',
          title: 'Director of IT',
          industry: 'Software',
          companySize: CompanySize.EMPLOYEES_201_TO_500,
        },
      });
      tokens[index] = data.signUp.token;
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return tokens;
}
