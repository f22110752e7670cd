/**
 * SQL statements per thread page with 5, 20 and 100 comments: an in-process server with the test
 * probe (the statement log), on a copy of the seeded database. The count includes the token
 * lookup; a constant count says the page has no N+1 lookups.
 */
import fs from 'node:fs';
import { startServerWithProbe } from '../src/app';
import { loadConfig } from '../src/config';
import { toGlobalId } from '../src/graphql/global-id';
import { gql, signUpMembers } from './api';
import { THREAD_PAGE } from './documents';
import { SERVER_ENV } from './processes';

/** Statements of one page read (median of three reads), by the thread's number of top-level comments. */
export async function measureStatements(seededFile: string, threadIdByCommentCount: Record<number, number>): Promise<Record<number, number>> {
  const copy = `${seededFile}.statements.sqlite`;
  fs.copyFileSync(seededFile, copy);
  const { server, probe } = await startServerWithProbe(loadConfig({ ...SERVER_ENV, DEMO_DATA: '0', PORT: '0', DATABASE_URL: `sqlite:${copy}` }));
  try {
    const url = `http://127.0.0.1:${server.port}`;
    const [token] = await signUpMembers(url, 1, 'statements');
    const counts: Record<number, number> = {};
    for (const [comments, id] of Object.entries(threadIdByCommentCount)) {
      const reads: number[] = [];
      for (let i = 0; i < 3; i++) {
        probe.queryLog.captured = [];
        // Executed every time: the count is the page's statements, not a response-cache hit's.
        const page = await gql(url, THREAD_PAGE, { id: toGlobalId('Thread', id) }, token, { 'cache-control': 'no-cache' });
        reads.push(probe.queryLog.captured.length);
        probe.queryLog.captured = null;
        if (page.errors) throw new Error(`thread page failed: ${JSON.stringify(page.errors)}`);
      }
      counts[Number(comments)] = reads.sort((a, b) => a - b)[1];
    }
    return counts;
  } finally {
    await server.stop();
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(copy + suffix, { force: true });
  }
}
