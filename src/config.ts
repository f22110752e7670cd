/**
 * The only reader of process.env. Every setting is validated once at start-up;
 * a bad value stops the server with a message naming the variable, so a typo
 * in a deployment fails loudly instead of running with a surprising default.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';

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
  /**
   * SQLITE_READERS: read-only SQLite connections beside the one writer, so reads never wait behind
   * writes; 0: every read takes its turn in the writer's queue (as a ":memory:" database always
   * does: it is private to its one connection). PostgreSQL's pool serves reads and writes alike.
   * The default 3 keeps readers and writer within libuv's 4 threads (UV_THREADPOOL_SIZE), where
   * sqlite3 runs every statement, so a write's statement never waits for a thread behind reads;
   * on the 2-core machine measured, 2, 3 and 4 readers served the thread page alike.
   */
  sqliteReaders: number;
  /** redis://host:port: carries live events between instances; null for one process (in-process events). */
  redisUrl: string | null;
  /** Load the demo community into an empty database. */
  loadDemoData: boolean;
  logLevel: LogLevel;
  nodeEnv: NodeEnv;
  /** Error details (field suggestions) are for development only. */
  isProduction: boolean;
  /**
   * GRAPHQL_IDE: GraphiQL at GET /graphql (its assets under /ide/) and introspection, which the IDE
   * needs to know the schema, on HTTP and the WebSocket alike. On except in production, where only
   * an explicit GRAPHQL_IDE=1 publishes the schema.
   */
  isIdeEnabled: boolean;
  /** How often the scheduler looks for polls whose closesAt has passed. */
  pollCloseIntervalMs: number;
  /** Poll breakdowns (api/insights.graphql): INSIGHTS_MIN_GROUP_SIZE is k, the smallest group shown. */
  insights: { minGroupSize: number };
  live: LiveConfig;
  http: HttpConfig;
  /**
   * Browser origins, besides the server's own, whose pages may use the API: their WebSocket
   * handshakes are accepted and HTTP answers them with CORS headers. Normalised ("https://app.example.com").
   */
  allowedOrigins: readonly string[];
  /** Limits on GraphQL documents, the same over HTTP and the WebSocket. */
  limits: DocumentLimits;
  /** Bearer token GET /metrics requires; null: /metrics is open. */
  metricsToken: string | null;
  /**
   * How many proxies in front of the server append to X-Forwarded-For (TRUST_PROXY): 0 ignores the
   * header (the client address is the socket's); 1 takes the last address a single load balancer added.
   */
  trustProxy: number;
  rateLimits: RateLimitConfig;
  /** Answers of HTTP queries kept until the next write (src/app/response-cache.ts). */
  responseCache: ResponseCacheConfig;
}

export interface ResponseCacheConfig {
  /** RESPONSE_CACHE_TTL_MS: the longest an answer is served (bounds what changes without a write of a server); 0 turns the cache off. */
  ttlMs: number;
  /** RESPONSE_CACHE_ENTRIES: answers kept at most, the least recently used dropped first. */
  maxEntries: number;
}

/**
 * Limits every GraphQL document must fit before anything executes (see
 * src/graphql/document-limits.ts); each is named after its variable.
 */
export interface DocumentLimits {
  /** LIMIT_DEPTH: nesting of fields, counted through fragments. */
  depth: number;
  /** LIMIT_ALIASES: aliased fields per operation. */
  aliases: number;
  /** LIMIT_DIRECTIVES: directives per operation. */
  directives: number;
  /** LIMIT_TOKENS: lexical tokens of the document. */
  tokens: number;
  /** LIMIT_CHARACTERS: length of the document text. */
  characters: number;
  /** LIMIT_COST: fields counted 1 each, multiplied by the `first` of every enclosing list. */
  cost: number;
}

/** Fixed-window rate limits (points per window); 0 turns a limit off. */
export interface RateLimitConfig {
  /** Failed logIns per e-mail and client address per 15 minutes; per address over all e-mails 10x that, per e-mail over all addresses 10x that per hour. */
  loginFailures: number;
  /** Writes per member per minute; per client address 50x. */
  writesPerMinute: number;
  /** signUps per client address per hour. */
  signUpsPerHour: number;
  /** Subscribe messages per WebSocket per 10 s. */
  subscribesPerConnection: number;
  /** Subscribe messages per client address per 10 s, over all its sockets. */
  subscribesPerAddress: number;
}

/** Timeouts of the HTTP server (they never apply to upgraded WebSockets). */
export interface HttpConfig {
  /** Longest a client may take to send a request's headers. */
  headersTimeoutMs: number;
  /** Longest a client may take to send a whole request (headers and body). */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open between requests. */
  keepAliveTimeoutMs: number;
  /** MAX_BODY_BYTES: largest request body; a larger one gets 413. */
  maxBodyBytes: number;
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

function readMetricsToken(env: NodeJS.ProcessEnv): string | null {
  const raw = env.METRICS_TOKEN;
  if (raw === undefined || raw === '') return null;
  // A header value never starts or ends with blanks, so such a token could never match.
  if (raw.trim() === '') throw new ConfigError('METRICS_TOKEN', 'must not be blank (leave it unset to serve /metrics without a token)');
  return raw.trim();
}

/** Every RATE_LIMIT_*: 0 (off) to 10,000,000. */
const RATE_LIMIT_MAX = 10_000_000;

function readRateLimits(env: NodeJS.ProcessEnv): RateLimitConfig {
  const limit = (name: string, fallback: number) => readInt(env, name, fallback, 0, RATE_LIMIT_MAX);
  return {
    loginFailures: limit('RATE_LIMIT_LOGIN_FAILURES', 10),
    writesPerMinute: limit('RATE_LIMIT_WRITES_PER_MINUTE', 120),
    signUpsPerHour: limit('RATE_LIMIT_SIGNUPS_PER_HOUR', 30),
    subscribesPerConnection: limit('RATE_LIMIT_SUBSCRIBES_PER_CONNECTION', 200),
    subscribesPerAddress: limit('RATE_LIMIT_SUBSCRIBES_PER_ADDRESS', 0),
  };
}

/**
 * The demo community comes with a published password: on by default while developing, off in
 * production unless DEMO_DATA=1 asks for it explicitly.
 */
function readDemoData(env: NodeJS.ProcessEnv, nodeEnv: NodeEnv): boolean {
  const raw = env.DEMO_DATA?.trim();
  if (raw === undefined || raw === '') return nodeEnv !== 'production';
  if (raw === '1') return true;
  if (raw === '0') return false;
  throw new ConfigError('DEMO_DATA', `expected 1 or 0, got "${raw}"`);
}

/** GRAPHQL_IDE: 1 or 0; unset: on, except in production (the IDE publishes the schema through introspection). */
function readGraphqlIde(env: NodeJS.ProcessEnv, nodeEnv: NodeEnv): boolean {
  const raw = env.GRAPHQL_IDE?.trim();
  if (raw === undefined || raw === '') return nodeEnv !== 'production';
  if (raw === '1') return true;
  if (raw === '0') return false;
  throw new ConfigError('GRAPHQL_IDE', `expected 1 or 0, got "${raw}"`);
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
    maxBodyBytes: readInt(env, 'MAX_BODY_BYTES', 100 * 1024, 1024, 100 * 1024 * 1024),
  };
  // Node requires the request timeout to be at least the header timeout.
  if (http.requestTimeoutMs < http.headersTimeoutMs) {
    throw new ConfigError('HTTP_REQUEST_TIMEOUT_MS', `must be at least HTTP_HEADERS_TIMEOUT_MS (${http.headersTimeoutMs}), got ${http.requestTimeoutMs}`);
  }
  return {
    port: readInt(env, 'PORT', 4000, 0, 65535),
    host,
    database: readDatabase(env),
    sqliteReaders: readInt(env, 'SQLITE_READERS', 3, 0, 32),
    redisUrl: readRedisUrl(env),
    loadDemoData: readDemoData(env, nodeEnv),
    logLevel: readEnum(env, 'LOG_LEVEL', LOG_LEVELS, nodeEnv === 'test' ? 'warn' : 'info'),
    nodeEnv,
    isProduction: nodeEnv === 'production',
    isIdeEnabled: readGraphqlIde(env, nodeEnv),
    pollCloseIntervalMs: readInt(env, 'POLL_CLOSE_INTERVAL_MS', 250, 10, 1000),
    insights: { minGroupSize: readInt(env, 'INSIGHTS_MIN_GROUP_SIZE', 5, 3, 1000) },
    live: {
      intervalMs: readInt(env, 'LIVE_INTERVAL_MS', 100, 0, 60_000),
      maxBacklog: readInt(env, 'LIVE_MAX_BACKLOG', 1000, 1, 1_000_000),
      maxSubscriptionsPerConnection: readInt(env, 'LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION', 100, 1, 10_000),
      maxPayloadBytes: readInt(env, 'LIVE_MAX_PAYLOAD_BYTES', 100 * 1024, 1024, 16 * 1024 * 1024),
      keepAliveMs: readInt(env, 'LIVE_KEEPALIVE_MS', 12_000, 100, 12_000),
      connectionInitTimeoutMs: readInt(env, 'LIVE_CONNECTION_INIT_TIMEOUT_MS', 10_000, 100, 10_000),
    },
    http,
    limits: readLimits(env),
    metricsToken: readMetricsToken(env),
    trustProxy: readInt(env, 'TRUST_PROXY', 0, 0, 10),
    rateLimits: readRateLimits(env),
    allowedOrigins: readAllowedOrigins(env),
    responseCache: {
      ttlMs: readInt(env, 'RESPONSE_CACHE_TTL_MS', 5_000, 0, 600_000),
      maxEntries: readInt(env, 'RESPONSE_CACHE_ENTRIES', 1_000, 1, 1_000_000),
    },
  };
}

function readLimits(env: NodeJS.ProcessEnv): DocumentLimits {
  return {
    depth: readInt(env, 'LIMIT_DEPTH', 10, 1, 1000),
    aliases: readInt(env, 'LIMIT_ALIASES', 15, 0, 100_000),
    directives: readInt(env, 'LIMIT_DIRECTIVES', 50, 0, 100_000),
    tokens: readInt(env, 'LIMIT_TOKENS', 1000, 1, 10_000_000),
    characters: readInt(env, 'LIMIT_CHARACTERS', 15_000, 1, 100 * 1024 * 1024),
    cost: readInt(env, 'LIMIT_COST', 50_000, 1, 1_000_000_000),
  };
}

/** The package root (where package.json is), from this file's place: src/ under ts-jest, dist/src/ once compiled. */
export function projectDirectory(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return from;
  }
}

/**
 * Reads `<project>/.env` into process.env (Node's own parser, the one behind process.loadEnvFile and
 * --env-file; no dependency), for the server and
 * the CLI commands alike, whatever the current directory. Variables already in the environment
 * win over the file; a missing file is fine. Node's parser skips a line it cannot read (and may
 * glue it to the next one), so every line is checked first: a typo fails here, naming the line,
 * instead of silently dropping a setting. Returns the file read, or null.
 */
export function loadEnvFile(directory: string = projectDirectory()): string | null {
  const file = path.join(directory, '.env');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ConfigError('.env', `cannot read ${file}: ${(error as Error).message}`);
  }
  checkEnvFileLines(file, text);
  // As process.loadEnvFile does, but through the JavaScript process.env (which test sandboxes replace).
  for (const [name, value] of Object.entries(parseEnv(text))) {
    if (process.env[name] === undefined && value !== undefined) process.env[name] = value;
  }
  return file;
}

function checkEnvFileLines(file: string, text: string): void {
  let openQuote: string | null = null; // inside a quoted value that spans lines
  text.split(/\r?\n/).forEach((line, index) => {
    if (openQuote !== null) {
      if (line.includes(openQuote)) openQuote = null;
      return;
    }
    if (/^\s*(#.*)?$/.test(line)) return;
    const match = /^\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_]*\s*=\s*(.*)$/.exec(line);
    if (!match) throw new ConfigError('.env', `${file} line ${index + 1}: expected NAME=value, got "${line.trim()}"`);
    const value = match[1];
    const quote = value[0];
    if ((quote === '"' || quote === "'" || quote === '`') && !value.slice(1).includes(quote)) openQuote = quote;
  });
  if (openQuote !== null) throw new ConfigError('.env', `${file}: a value opened with ${openQuote} is never closed`);
}
