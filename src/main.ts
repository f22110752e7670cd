/**
 * Entry point of `npm start`: read the project's .env, validate configuration, start, stop cleanly
 * on SIGTERM/SIGINT. `npm start` execs this process (see package.json), so a supervisor's signal
 * sent to npm reaches it rather than a shell in between.
 */
import 'reflect-metadata';
import { startServer } from './app';
import { ConfigError, loadConfig, loadEnvFile } from './config';
import { createLogger } from './logger';

async function main(): Promise<void> {
  let config;
  try {
    loadEnvFile();
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  // Signals are handled from the first moment: a SIGTERM during start-up waits for the
  // start to finish (migrations are not cut in half), then stops cleanly.
  const starting = startServer(config, { logger });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    const force = setTimeout(() => {
      logger.error('shutdown took longer than 10 s; exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    starting
      .then((server) => server.stop())
      .then(
        () => process.exit(0),
        (error) => {
          logger.error('shutdown failed', { error });
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  const server = await starting;
  logger.info(`peer community server listening at ${server.url}`, {
    database: config.database.type === 'sqlite' ? config.database.path : 'postgres',
    events: config.redisUrl ? 'redis' : 'in-process',
    nodeEnv: config.nodeEnv,
  });
  if (config.isProduction && !config.loadDemoData) logger.info('demo community not loaded in production (DEMO_DATA=1 loads it into an empty database)');
}

main().catch((error) => {
  process.stderr.write(`Failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
