/**
 * The only reader of process.env. Every setting is validated once at start-up;
 * a bad value stops the server with a message naming the variable, so a typo
 * in a deployment fails loudly instead of running with a surprising default.
 */
import path from 'node:path';

export type LogLevel = 'silent' | 'error' | 'warn' | 'info' | 'debug';
export type NodeEnv = 'development' | 'production' | 'test';

export type DatabaseConfig =
  | {
      type: 'sqlite';
      /** Path of the SQLite file, or ":memory:". */
      path: string;
    }
  | {
      type: 'postgres';
      /** postgres://user:password@host:port/database */
      url: string;
      /** Connections per instance. */
      poolSize: number;
    };

export interface Config {
  port: number;
  host: string;
  database: DatabaseConfig;
  /** redis://host:port: carries live events between instances; null for one process (in-process events). */
  redisUrl: string | null;
  /** Load the demo community into an empty database. */
  loadDemoData: boolean;
  logLevel: LogLevel;
  nodeEnv: NodeEnv;
  /** Introspection and error details are for development only. */
  isProduction: boolean;
  /** How often the scheduler looks for polls whose closesAt has passed. */
  pollCloseIntervalMs: number;
  live: LiveConfig;
  http: HttpConfig;
  /**
   * Browser origins, besides the server's own, whose pages may use the API: their WebSocket
   * handshakes are accepted and HTTP answers them with CORS headers. Normalised ("https://app.example.com").
   */
  allowedOrigins: readonly string[];
}

/** Timeouts of the HTTP server (they never apply to upgraded WebSockets). */
export interface HttpConfig {
  /** Longest a client may take to send a request's headers. */
  headersTimeoutMs: number;
  /** Longest a client may take to send a whole request (headers and body). */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open between requests. */
  keepAliveTimeoutMs: number;
}

/** The live API (graphql-ws over WebSocket on the GraphQL path). */
export interface LiveConfig {
  /** Conflation: at most one poll-results / post-stats message per poll or post per interval. */
  intervalMs: number;
  /** A commentAdded subscriber this many messages behind is ended with SLOW_CONSUMER. */
  maxBacklog: number;
  maxSubscriptionsPerConnection: number;
  /** Largest WebSocket frame accepted; a larger one closes the socket with 1009. */
  maxPayloadBytes: number;
  /** WebSocket ping interval; a client that misses its pong is dropped one interval later. */
  keepAliveMs: number;
  /** How long a new socket may take to send connection_init (then 4408). */
  connectionInitTimeoutMs: number;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`Invalid ${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

export const DEFAULT_SQLITE_PATH = './data/peer-community.sqlite';

const LOG_LEVELS: readonly LogLevel[] = ['silent', 'error', 'warn', 'info', 'debug'];
const NODE_ENVS: readonly NodeEnv[] = ['development', 'production', 'test'];

function readInt(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `expected a whole number, got "${raw}"`);
  const value = Number(raw.trim());
  if (value < min || value > max) throw new ConfigError(name, `expected ${min}..${max}, got ${value}`);
  return value;
}

function readEnum<T extends string>(env: NodeJS.ProcessEnv, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = raw.trim().toLowerCase() as T;
  if (!allowed.includes(value)) throw new ConfigError(name, `expected one of ${allowed.join(', ')}, got "${raw}"`);
  return value;
}

function readDatabase(env: NodeJS.ProcessEnv): DatabaseConfig {
  const raw = env.DATABASE_URL;
  if (raw === undefined || raw === '') return { type: 'sqlite', path: path.resolve(DEFAULT_SQLITE_PATH) };
  if (raw.startsWith('sqlite:')) {
    const file = raw.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (file === '') throw new ConfigError('DATABASE_URL', 'sqlite: needs a file path, e.g. sqlite:./data/peer-community.sqlite');
    return { type: 'sqlite', path: file === ':memory:' ? file : path.resolve(file) };
  }
  if (/^postgres(ql)?:\/\//.test(raw)) {
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      throw new ConfigError('DATABASE_URL', 'is not a valid postgres:// URL');
    }
    if (!parsed.hostname || parsed.pathname.length <= 1) {
      throw new ConfigError('DATABASE_URL', 'needs a host and a database name, e.g. postgres://user@127.0.0.1:5432/community');
    }
    return { type: 'postgres', url: raw, poolSize: readInt(env, 'DATABASE_POOL_SIZE', 10, 1, 200) };
  }
  throw new ConfigError('DATABASE_URL', `unsupported database "${raw.split(':')[0]}" (expected sqlite:<path> or postgres://...)`);
}

function readRedisUrl(env: NodeJS.ProcessEnv): string | null {
  const raw = env.REDIS_URL?.trim();
  if (raw === undefined || raw === '') return null;
  if (!/^rediss?:\/\/[^/]/.test(raw)) throw new ConfigError('REDIS_URL', `expected redis://host:port, got "${raw}"`);
  try {
    new URL(raw);
  } catch {
    throw new ConfigError('REDIS_URL', `is not a valid URL: "${raw}"`);
  }
  return raw;
}

function readDemoData(env: NodeJS.ProcessEnv): boolean {
  const raw = env.DEMO_DATA?.trim();
  if (raw === undefined || raw === '' || raw === '1') return true;
  if (raw === '0') return false;
  throw new ConfigError('DEMO_DATA', `expected 1 or 0, got "${raw}"`);
}

/**
 * ALLOWED_ORIGINS: a comma-separated list of origins (scheme, host and optional port, nothing else),
 * each normalised as browsers send it in `Origin` (lower-case host, default port dropped). A path,
 * a wildcard or "null" is refused: a typo must not silently open the API to every site.
 */
function readAllowedOrigins(env: NodeJS.ProcessEnv): string[] {
  const entries = (env.ALLOWED_ORIGINS ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  return [
    ...new Set(
      entries.map((entry) => {
        let url: URL;
        try {
          url = new URL(entry);
        } catch {
          throw new ConfigError('ALLOWED_ORIGINS', `"${entry}" is not an origin such as https://app.example.com`);
        }
        const bare = url.pathname === '/' && url.username === '' && url.password === '' && !/[?#*]/.test(entry);
        if (!['http:', 'https:'].includes(url.protocol) || !bare) {
          throw new ConfigError('ALLOWED_ORIGINS', `"${entry}" is not an origin: expected http(s)://host[:port] without a path`);
        }
        return url.origin;
      }),
    ),
  ];
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const nodeEnv = readEnum(env, 'NODE_ENV', NODE_ENVS, 'development');
  const host = env.HOST?.trim() || '0.0.0.0';
  if (/\s/.test(host)) throw new ConfigError('HOST', `expected a host name or address, got "${env.HOST}"`);
  const http: HttpConfig = {
    headersTimeoutMs: readInt(env, 'HTTP_HEADERS_TIMEOUT_MS', 10_000, 100, 600_000),
    requestTimeoutMs: readInt(env, 'HTTP_REQUEST_TIMEOUT_MS', 30_000, 100, 3_600_000),
    keepAliveTimeoutMs: readInt(env, 'HTTP_KEEP_ALIVE_TIMEOUT_MS', 5_000, 100, 600_000),
  };
  // Node requires the request timeout to be at least the header timeout.
  if (http.requestTimeoutMs < http.headersTimeoutMs) {
    throw new ConfigError('HTTP_REQUEST_TIMEOUT_MS', `must be at least HTTP_HEADERS_TIMEOUT_MS (${http.headersTimeoutMs}), got ${http.requestTimeoutMs}`);
  }
  return {
    port: readInt(env, 'PORT', 4000, 0, 65535),
    host,
    database: readDatabase(env),
    redisUrl: readRedisUrl(env),
    loadDemoData: readDemoData(env),
    logLevel: readEnum(env, 'LOG_LEVEL', LOG_LEVELS, nodeEnv === 'test' ? 'warn' : 'info'),
    nodeEnv,
    isProduction: nodeEnv === 'production',
    pollCloseIntervalMs: readInt(env, 'POLL_CLOSE_INTERVAL_MS', 250, 10, 1000),
    live: {
      intervalMs: readInt(env, 'LIVE_INTERVAL_MS', 100, 0, 60_000),
      maxBacklog: readInt(env, 'LIVE_MAX_BACKLOG', 1000, 1, 1_000_000),
      maxSubscriptionsPerConnection: readInt(env, 'LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION', 100, 1, 10_000),
      maxPayloadBytes: readInt(env, 'LIVE_MAX_PAYLOAD_BYTES', 100 * 1024, 1024, 16 * 1024 * 1024),
      keepAliveMs: readInt(env, 'LIVE_KEEPALIVE_MS', 12_000, 100, 12_000),
      connectionInitTimeoutMs: readInt(env, 'LIVE_CONNECTION_INIT_TIMEOUT_MS', 10_000, 100, 10_000),
    },
    http,
    allowedOrigins: readAllowedOrigins(env),
  };
}
