import path from 'node:path';
import { Config, ConfigError, loadConfig } from './config';

/** The ConfigError loadConfig throws for `env` (fails when it throws nothing or something else). */
function configErrorOf(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

function sqlitePath(config: Config): string {
  if (config.database.type !== 'sqlite') throw new Error('expected a SQLite configuration');
  return config.database.path;
}

describe('loadConfig', () => {
  it('reads PostgreSQL and Redis URLs', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://app@127.0.0.1:5432/community', DATABASE_POOL_SIZE: '5', REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(config.database).toEqual({ type: 'postgres', url: 'postgres://app@127.0.0.1:5432/community', poolSize: 5 });
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(loadConfig({}).redisUrl).toBeNull();
    expect(() => loadConfig({ DATABASE_URL: 'postgres://app@db/community', DATABASE_POOL_SIZE: '0' })).toThrow(
      expect.objectContaining({ variable: 'DATABASE_POOL_SIZE' }),
    );
  });

  it('has the documented defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 4000,
      host: '0.0.0.0',
      database: { type: 'sqlite', path: path.resolve('data/peer-community.sqlite') },
      loadDemoData: true,
      logLevel: 'info',
      nodeEnv: 'development',
      isProduction: false,
      pollCloseIntervalMs: 250,
    });
    expect(path.isAbsolute(sqlitePath(config))).toBe(true);
    expect(sqlitePath(config).endsWith(path.join('data', 'peer-community.sqlite'))).toBe(true);
  });

  it('treats empty values as unset', () => {
    const config = loadConfig({ PORT: '', DATABASE_URL: '', DEMO_DATA: '', LOG_LEVEL: '', NODE_ENV: '', HOST: '' });
    expect(config).toMatchObject({ port: 4000, host: '0.0.0.0', loadDemoData: true, logLevel: 'info', nodeEnv: 'development' });
    expect(sqlitePath(config)).toBe(path.resolve('data/peer-community.sqlite'));
  });

  it('does not read process.env when given an environment', () => {
    const saved = process.env.PORT;
    process.env.PORT = 'not-a-port';
    try {
      expect(loadConfig({}).port).toBe(4000);
    } finally {
      if (saved === undefined) delete process.env.PORT;
      else process.env.PORT = saved;
    }
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['PORT', '80.5'],
    ['PORT', '4e3'],
    ['DATABASE_URL', 'mysql://x'],
    ['DATABASE_URL', 'postgres://user@db'],
    ['DATABASE_URL', 'postgres://'],
    ['REDIS_URL', 'localhost:6379'],
    ['REDIS_URL', 'http://cache:6379'],
    ['DATABASE_URL', 'sqlite:'],
    ['DATABASE_URL', './data/peer-community.sqlite'],
    ['DEMO_DATA', 'yes'],
    ['DEMO_DATA', 'true'],
    ['DEMO_DATA', '2'],
    ['GRAPHQL_IDE', 'yes'],
    ['GRAPHQL_IDE', 'true'],
    ['GRAPHQL_IDE', '2'],
    ['LOG_LEVEL', 'loud'],
    ['LOG_LEVEL', 'verbose'],
    ['NODE_ENV', 'staging'],
    ['HOST', 'local host'],
    ['POLL_CLOSE_INTERVAL_MS', '5'],
    ['POLL_CLOSE_INTERVAL_MS', '1001'],
    ['POLL_CLOSE_INTERVAL_MS', 'fast'],
    ['INSIGHTS_MIN_GROUP_SIZE', '2'],
    ['INSIGHTS_MIN_GROUP_SIZE', '0'],
    ['INSIGHTS_MIN_GROUP_SIZE', 'five'],
    ['INSIGHTS_MIN_GROUP_SIZE', '1001'],
    ['HTTP_HEADERS_TIMEOUT_MS', '10s'],
    ['HTTP_REQUEST_TIMEOUT_MS', '50'],
    ['HTTP_KEEP_ALIVE_TIMEOUT_MS', '0'],
    ['METRICS_TOKEN', '   '],
  ])('refuses %s=%s with a ConfigError naming the variable', (variable, value) => {
    const error = configErrorOf({ [variable]: value });
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(variable);
  });

  it('has HTTP timeouts of 10 s for headers, 30 s for a request and 5 s for keep-alive by default', () => {
    expect(loadConfig({}).http).toMatchObject({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000 });
  });

  it('refuses a request timeout shorter than the header timeout', () => {
    const error = configErrorOf({ HTTP_HEADERS_TIMEOUT_MS: '5000', HTTP_REQUEST_TIMEOUT_MS: '1000' });
    expect(error.variable).toBe('HTTP_REQUEST_TIMEOUT_MS');
  });

  it('names the bad variable even when other settings are valid', () => {
    const error = configErrorOf({ PORT: '8080', DATABASE_URL: 'sqlite::memory:', LOG_LEVEL: 'loud', NODE_ENV: 'production' });
    expect(error.variable).toBe('LOG_LEVEL');
  });

  it('accepts the whole port range, 0 picking a free port', () => {
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
    expect(loadConfig({ PORT: '65535' }).port).toBe(65535);
    expect(loadConfig({ PORT: ' 8080 ' }).port).toBe(8080);
    expect(configErrorOf({ PORT: '65536' }).variable).toBe('PORT');
  });

  it('resolves sqlite: paths to absolute paths, and keeps :memory:', () => {
    expect(loadConfig({ DATABASE_URL: 'sqlite:./tmp/db.sqlite' }).database).toEqual({ type: 'sqlite', path: path.resolve('tmp/db.sqlite') });
    expect(sqlitePath(loadConfig({ DATABASE_URL: 'sqlite:relative/other.sqlite' }))).toBe(path.resolve('relative/other.sqlite'));
    expect(sqlitePath(loadConfig({ DATABASE_URL: 'sqlite:/var/lib/peer/db.sqlite' }))).toBe(path.resolve('/var/lib/peer/db.sqlite'));
    expect(sqlitePath(loadConfig({ DATABASE_URL: 'sqlite:///var/lib/peer/db.sqlite' }))).toBe(path.resolve('/var/lib/peer/db.sqlite'));
    expect(loadConfig({ DATABASE_URL: 'sqlite::memory:' }).database).toEqual({ type: 'sqlite', path: ':memory:' });
  });

  it('leaves the demo community (and its published password) out of production unless DEMO_DATA=1', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).loadDemoData).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', DEMO_DATA: '' }).loadDemoData).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', DEMO_DATA: '1' }).loadDemoData).toBe(true);
    expect(loadConfig({ NODE_ENV: 'development' }).loadDemoData).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test' }).loadDemoData).toBe(true);
  });

  it('turns demo data off with DEMO_DATA=0 and on with DEMO_DATA=1', () => {
    expect(loadConfig({ DEMO_DATA: '0' }).loadDemoData).toBe(false);
    expect(loadConfig({ DEMO_DATA: '1' }).loadDemoData).toBe(true);
  });

  it('serves the IDE (and introspection) outside production, in production only with GRAPHQL_IDE=1', () => {
    expect(loadConfig({}).isIdeEnabled).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test' }).isIdeEnabled).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production' }).isIdeEnabled).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', GRAPHQL_IDE: '' }).isIdeEnabled).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', GRAPHQL_IDE: '1' }).isIdeEnabled).toBe(true);
    expect(loadConfig({ GRAPHQL_IDE: '0' }).isIdeEnabled).toBe(false);
  });

  it('sets isProduction for NODE_ENV=production only', () => {
    expect(loadConfig({ NODE_ENV: 'production' })).toMatchObject({ nodeEnv: 'production', isProduction: true });
    expect(loadConfig({ NODE_ENV: 'development' })).toMatchObject({ nodeEnv: 'development', isProduction: false });
    expect(loadConfig({ NODE_ENV: 'test' })).toMatchObject({ nodeEnv: 'test', isProduction: false });
  });

  it('reads every log level and the other settings', () => {
    for (const level of ['silent', 'error', 'warn', 'info', 'debug']) expect(loadConfig({ LOG_LEVEL: level }).logLevel).toBe(level);
    expect(loadConfig({ HOST: '127.0.0.1', POLL_CLOSE_INTERVAL_MS: '10' })).toMatchObject({ host: '127.0.0.1', pollCloseIntervalMs: 10 });
    expect(loadConfig({ POLL_CLOSE_INTERVAL_MS: '1000' }).pollCloseIntervalMs).toBe(1000);
    expect(loadConfig({}).insights.minGroupSize).toBe(5);
    expect(loadConfig({ INSIGHTS_MIN_GROUP_SIZE: '3' }).insights.minGroupSize).toBe(3);
    expect(loadConfig({ INSIGHTS_MIN_GROUP_SIZE: '1000' }).insights.minGroupSize).toBe(1000);
  });

  it('reads SQLITE_READERS (3 by default, 0 for none), naming it when out of range', () => {
    expect(loadConfig({}).sqliteReaders).toBe(3);
    expect(loadConfig({ SQLITE_READERS: '0' }).sqliteReaders).toBe(0);
    expect(loadConfig({ SQLITE_READERS: '32' }).sqliteReaders).toBe(32);
    for (const bad of ['33', '-1', 'two']) expect(configErrorOf({ SQLITE_READERS: bad }).variable).toBe('SQLITE_READERS');
  });

  it('reads the document limits and the body limit, with their documented defaults, naming a bad one', () => {
    expect(loadConfig({}).limits).toEqual({ depth: 10, aliases: 15, directives: 50, tokens: 1000, characters: 15_000, cost: 50_000 });
    expect(loadConfig({}).http.maxBodyBytes).toBe(102_400);
    const env = { LIMIT_DEPTH: '12', LIMIT_ALIASES: '0', LIMIT_DIRECTIVES: '5', LIMIT_TOKENS: '2000', LIMIT_CHARACTERS: '30000', LIMIT_COST: '1000' };
    expect(loadConfig(env).limits).toEqual({ depth: 12, aliases: 0, directives: 5, tokens: 2000, characters: 30_000, cost: 1000 });
    expect(loadConfig({ MAX_BODY_BYTES: '2048' }).http.maxBodyBytes).toBe(2048);
    for (const variable of ['LIMIT_DEPTH', 'LIMIT_ALIASES', 'LIMIT_DIRECTIVES', 'LIMIT_TOKENS', 'LIMIT_CHARACTERS', 'LIMIT_COST', 'MAX_BODY_BYTES']) {
      expect(configErrorOf({ [variable]: 'lots' }).variable).toBe(variable);
    }
    expect(configErrorOf({ LIMIT_DEPTH: '0' }).variable).toBe('LIMIT_DEPTH');
    expect(configErrorOf({ MAX_BODY_BYTES: '10' }).variable).toBe('MAX_BODY_BYTES');
  });

  it('serves /metrics openly without METRICS_TOKEN, and takes any non-blank string as the token', () => {
    expect(loadConfig({}).metricsToken).toBeNull();
    expect(loadConfig({ METRICS_TOKEN: '' }).metricsToken).toBeNull();
    expect(loadConfig({ METRICS_TOKEN: 'p@ss w0rd/with:anything' }).metricsToken).toBe('p@ss w0rd/with:anything');
  });

  it('reads the rate limits: the documented defaults, and any whole number from 0 (off) to 10,000,000', () => {
    expect(loadConfig({}).rateLimits).toEqual({
      loginFailures: 10,
      writesPerMinute: 120,
      signUpsPerHour: 30,
      subscribesPerConnection: 200,
      subscribesPerAddress: 0,
    });
    expect(loadConfig({}).trustProxy).toBe(0);
    const names = [
      'RATE_LIMIT_LOGIN_FAILURES',
      'RATE_LIMIT_WRITES_PER_MINUTE',
      'RATE_LIMIT_SIGNUPS_PER_HOUR',
      'RATE_LIMIT_SUBSCRIBES_PER_CONNECTION',
      'RATE_LIMIT_SUBSCRIBES_PER_ADDRESS',
    ];
    for (const name of names) {
      expect(Object.values(loadConfig({ [name]: '0' }).rateLimits)).toContain(0);
      expect(Object.values(loadConfig({ [name]: '10000000' }).rateLimits)).toContain(10_000_000);
      for (const bad of ['10000001', '-1', 'ten', '1.5']) expect(configErrorOf({ [name]: bad }).variable).toBe(name);
    }
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(configErrorOf({ TRUST_PROXY: 'yes' }).variable).toBe('TRUST_PROXY');
  });
});
