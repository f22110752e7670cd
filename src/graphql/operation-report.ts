/**
 * What one GraphQL operation did, reported by both transports (Apollo's
 * plugin over HTTP, src/realtime/ws-server.ts over the WebSocket) to one
 * observer, which writes the operation's log line and moves the metrics:
 * the same rule, one implementation (src/app/metrics.ts).
 */
import type { Logger } from '../logger';

export type OperationType = 'query' | 'mutation' | 'subscription';

export interface OperationReport {
  transport: 'http' | 'ws';
  /** The operation's name; null when it has none or the document never got that far (parse or validation failed). */
  name: string | null;
  /** null when the document never resolved to an operation. */
  type: OperationType | null;
  /** HTTP: the whole request from authentication to the response; WebSocket: from `subscribe` to the subscription started (or refused). */
  durationMs: number;
  /** extensions.code of each error sent for this operation, as the client received them. */
  errorCodes: string[];
}

export interface OperationObserver {
  /** An HTTP operation answered, or a subscription started or was refused; `logger` carries the request id. */
  operationFinished(logger: Logger, report: OperationReport): void;
  /** A subscription that had started ended (client complete, socket closed, server end); durationMs is its lifetime. */
  subscriptionEnded(logger: Logger, report: OperationReport): void;
  /** Errors sent outside an operation's report: refused before an operation ran, or pushed by a running subscription. */
  errorsSent(codes: readonly string[]): void;
}
