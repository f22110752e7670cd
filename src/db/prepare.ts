/**
 * Start-up preparation (migrations, then seeding) that several instances may
 * run at the same moment on one fresh PostgreSQL database: a session-level
 * advisory lock lets one instance at a time through, so the others find the
 * migrations applied and the database no longer empty. SQLite has one
 * process per file and needs no lock.
 */
import type { DataSource } from 'typeorm';

/** Any fixed number, the same for every instance of this application. */
const PREPARE_LOCK_KEY = 7_264_530_211;

export async function withPreparationLock<T>(dataSource: DataSource, work: () => Promise<T>): Promise<T> {
  if (dataSource.options.type !== 'postgres') return work();
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [PREPARE_LOCK_KEY]);
    try {
      return await work();
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [PREPARE_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}
