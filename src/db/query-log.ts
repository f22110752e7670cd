import { AbstractLogger, LogLevel as TypeOrmLogLevel, LogMessage } from 'typeorm';
import type { Logger } from '../logger';

/**
 * TypeORM logger that counts statements (tests assert that a page costs a
 * constant number of queries) and sends SQL to our logger at debug level.
 */
export class QueryLog extends AbstractLogger {
  constructor(private readonly logger: Logger) {
    super('all');
  }

  /** Statements recorded while a capture is on (tests inspect what a request sent). */
  captured: string[] | null = null;

  logQuery(query: string, parameters?: unknown[]): void {
    this.captured?.push(query);
    this.logger.debug('sql', { query, parameters });
  }

  protected writeLog(level: TypeOrmLogLevel, message: LogMessage | LogMessage[]): void {
    const messages = Array.isArray(message) ? message : [message];
    for (const entry of messages) {
      if (level === 'warn') this.logger.warn('typeorm', { detail: entry.message });
      else if (level === 'error') this.logger.debug('typeorm error', { detail: entry.message });
      else this.logger.debug('typeorm', { type: entry.type, detail: entry.message });
    }
  }
}
