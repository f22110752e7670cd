/**
 * A tiny structured logger: one JSON object per line on stderr/stdout, so
 * that a request id in an error response can be found with grep.
 */
import type { LogLevel } from './config';

const ORDER: Record<LogLevel, number> = { silent: 0, error: 1, warn: 2, info: 3, debug: 4 };

export interface Logger {
  error(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
}

function serialise(value: unknown): unknown {
  if (value instanceof Error) {
    const extra = value as { code?: unknown; query?: unknown; parameters?: unknown; cause?: unknown };
    return {
      name: value.name,
      message: value.message,
      stack: value.stack,
      ...(extra.code !== undefined ? { code: extra.code } : {}),
      // TypeORM's QueryFailedError: the statement that failed (logs only, never sent to clients).
      ...(extra.query !== undefined ? { query: extra.query, parameters: extra.parameters } : {}),
      ...(extra.cause !== undefined ? { cause: serialise(extra.cause) } : {}),
    };
  }
  return value;
}

export function createLogger(level: LogLevel): Logger {
  const write = (at: Exclude<LogLevel, 'silent'>, message: string, fields?: Record<string, unknown>) => {
    if (ORDER[at] > ORDER[level]) return;
    const entry: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(fields ?? {})) entry[key] = serialise(value);
    // Written last: fields never overwrite when, how bad and what.
    Object.assign(entry, { time: new Date().toISOString(), level: at, message });
    const line = JSON.stringify(entry) + '\n';
    if (at === 'error' || at === 'warn') process.stderr.write(line);
    else process.stdout.write(line);
  };
  return {
    error: (m, f) => write('error', m, f),
    warn: (m, f) => write('warn', m, f),
    info: (m, f) => write('info', m, f),
    debug: (m, f) => write('debug', m, f),
  };
}
