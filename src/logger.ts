/**
 * Structured JSON logs (pino): one object per line, info and debug on
 * stdout, warnings and errors on stderr, so that the request id a client
 * quotes can be found with grep.
 *
 * The project keeps its own small `Logger` interface (message first, fields
 * second) as a thin adapter over one pino instance: call sites stay as they
 * were, and `child(bindings)` is pino's child logger (bindings serialised
 * once), used for one logger per request carrying its request id.
 */
import pino from 'pino';
import type { LogLevel } from './config';

export type LogFields = Record<string, unknown>;

export interface Logger {
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  /** A logger whose every line carries `bindings` (e.g. { requestId }). */
  child(bindings: LogFields): Logger;
}

/**
 * An error as logs need it: its code, the cause chain, and TypeORM's failing
 * statement with its parameters (logs only, never sent to clients).
 */
export function serialiseError(value: unknown, depth = 0): unknown {
  if (!(value instanceof Error)) return value;
  const extra = value as { code?: unknown; query?: unknown; parameters?: unknown; cause?: unknown };
  return {
    name: value.name,
    message: value.message,
    stack: value.stack,
    ...(extra.code !== undefined ? { code: extra.code } : {}),
    ...(extra.query !== undefined ? { query: extra.query, parameters: extra.parameters } : {}),
    // A cause chain is short; the bound only guards against a cycle.
    ...(extra.cause !== undefined && depth < 5 ? { cause: serialiseError(extra.cause, depth + 1) } : {}),
  };
}

/** Every Error among a line's fields, whatever its key (error, cause, ...), is serialised. */
function serialiseFields(fields: LogFields): LogFields {
  let out: LogFields | null = null;
  for (const key of Object.keys(fields)) {
    if (fields[key] instanceof Error) {
      out ??= { ...fields };
      out[key] = serialiseError(fields[key]);
    }
  }
  return out ?? fields;
}

type Level = 'error' | 'warn' | 'info' | 'debug';

/**
 * A child's pino logger is made at its first line that its level lets through, not when the child
 * is: every request gets a child for its request id, and most write nothing at warn or error level
 * (making the pino child, which serialises the bindings, was about 1% of a small request's CPU).
 * Lines are the same either way.
 */
class PinoLogger implements Logger {
  private made: pino.Logger | null;

  constructor(
    private readonly parent: pino.Logger,
    private readonly bindings: LogFields | null = null,
  ) {
    this.made = bindings === null ? parent : null;
  }

  error(message: string, fields?: LogFields): void {
    this.write('error', message, fields);
  }

  warn(message: string, fields?: LogFields): void {
    this.write('warn', message, fields);
  }

  info(message: string, fields?: LogFields): void {
    this.write('info', message, fields);
  }

  debug(message: string, fields?: LogFields): void {
    this.write('debug', message, fields);
  }

  child(bindings: LogFields): Logger {
    return new PinoLogger(this.logger(), bindings);
  }

  private write(level: Level, message: string, fields: LogFields | undefined): void {
    if (!this.parent.isLevelEnabled(level)) return;
    if (fields) this.logger()[level](fields, message);
    else this.logger()[level](message);
  }

  private logger(): pino.Logger {
    return (this.made ??= this.parent.child(serialiseFields(this.bindings ?? {})));
  }
}

/** The pino options of every logger: the line shape stays what it was before pino (time, level, message). */
function pinoOptions(level: LogLevel): pino.LoggerOptions {
  return {
    level,
    messageKey: 'message',
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      log: serialiseFields,
    },
  };
}

/**
 * The process logger at `level` ('silent' writes nothing). `destination`
 * replaces stdout/stderr (tests read the lines back from it).
 */
export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  const stream =
    destination ??
    (level === 'silent'
      ? { write: () => undefined }
      : pino.multistream(
          [
            { level: 'debug', stream: pino.destination({ fd: 1, sync: true }) },
            { level: 'warn', stream: pino.destination({ fd: 2, sync: true }) },
          ],
          // Each line goes to the one stream of the highest level it reaches: warnings and errors to stderr only.
          { dedupe: true },
        ));
  return new PinoLogger(pino(pinoOptions(level), stream));
}
