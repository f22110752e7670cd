/**
 * What the backup and restore commands share: the project's .env and
 * DATABASE_URL through config.ts (the only reader of process.env), one clear
 * line of outcome, and exit codes a script can test.
 */
import { ConfigError, DatabaseConfig, loadConfig, loadEnvFile } from '../config';

/** 0 done and verified; 1 failed (nothing half-done is left under the target name); 2 refused (usage, PostgreSQL, a running server, an existing file). */
export const EXIT = { ok: 0, failed: 1, refused: 2 } as const;

/** A refusal: said plainly, exit code 2, no stack trace. */
export class Refusal extends Error {}

export function sqliteDatabase(command: 'backup' | 'restore'): { path: string } {
  loadEnvFile();
  const database: DatabaseConfig = loadConfig().database;
  if (database.type === 'postgres') {
    throw new Refusal(
      command === 'backup'
        ? 'DATABASE_URL is PostgreSQL: back it up with pg_dump, e.g. pg_dump --format=custom --file=community.dump "$DATABASE_URL" (see README, Backups and restores).'
        : 'DATABASE_URL is PostgreSQL: restore with pg_restore, e.g. pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" community.dump (see README, Backups and restores).',
    );
  }
  if (database.path === ':memory:') throw new Refusal(`DATABASE_URL is sqlite::memory:: there is no file to ${command}.`);
  return { path: database.path };
}

/** Runs a command's body: prints its outcome and exits with the matching code. */
export function runCommand(name: string, body: () => Promise<string>): void {
  body().then(
    (message) => {
      process.stdout.write(`${message}\n`);
      process.exit(EXIT.ok);
    },
    (error: unknown) => {
      const refused = error instanceof Refusal || error instanceof ConfigError;
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`${name} ${refused ? 'refused' : 'failed'}: ${message}\n`);
      process.exit(refused ? EXIT.refused : EXIT.failed);
    },
  );
}
