/** The poll module's own errors, each carrying its code from the closed set (src/graphql/errors.ts). */
import { ClientError, ErrorCode } from '../../graphql/errors';

/** A vote, retraction or close of a poll that is closed (by its author, or because closesAt has passed). */
export class PollClosedError extends ClientError {
  constructor() {
    super('This poll is closed.', ErrorCode.POLL_CLOSED);
  }
}
