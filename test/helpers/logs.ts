/**
 * Log lines as an operator reads them: a real JSON logger (pino, the same
 * as `npm start` uses) whose lines are parsed back here instead of going to
 * stdout/stderr. Pass `logger` to startTestServer.
 */
import type { LogLevel } from '../../src/config';
import { createLogger, Logger } from '../../src/logger';

export interface LogLine {
  level: string;
  time: string;
  message: string;
  requestId?: string;
  /** An error field as the logger serialises it (name, message, code, SQL, stack, cause). */
  error?: { name?: string; message?: string; code?: unknown; query?: string; stack?: string; cause?: unknown };
  [field: string]: unknown;
}

export interface CapturedLogs {
  logger: Logger;
  /** Every line written so far, parsed. */
  lines: LogLine[];
  /** The raw text written, as it would reach stdout/stderr. */
  text(): string;
  /** The lines carrying `requestId`. */
  forRequest(requestId: string): LogLine[];
  /** Resolves with the first line matching `predicate` (lines may follow the response that caused them). */
  waitFor(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
}

export function captureLogs(level: LogLevel = 'info'): CapturedLogs {
  const lines: LogLine[] = [];
  const chunks: string[] = [];
  const logger = createLogger(level, {
    write(chunk: string) {
      chunks.push(chunk);
      for (const line of chunk.split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as LogLine);
    },
  });
  return {
    logger,
    lines,
    text: () => chunks.join(''),
    forRequest: (requestId) => lines.filter((line) => line.requestId === requestId),
    async waitFor(predicate, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = lines.find(predicate);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no matching log line in ${timeoutMs} ms; last lines: ${JSON.stringify(lines.slice(-5))}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}
