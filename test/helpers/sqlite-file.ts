/**
 * Reading a server's SQLite file the way another process would: through a
 * second, independent, read-only connection that sees committed rows only
 * (the server's own connection would also see its uncommitted writes).
 */
import sqlite3 from 'sqlite3';

/** Comment bodies committed to `file`, oldest first. */
export async function commentBodiesOnDisk(file: string): Promise<string[]> {
  const reader = new sqlite3.Database(file, sqlite3.OPEN_READONLY);
  try {
    const rows = await new Promise<Array<{ body: string }>>((resolve, reject) =>
      reader.all('SELECT body FROM comments ORDER BY id', (error, result) => (error ? reject(error) : resolve(result as Array<{ body: string }>))),
    );
    return rows.map((row) => row.body);
  } finally {
    await new Promise<void>((resolve) => reader.close(() => resolve()));
  }
}
