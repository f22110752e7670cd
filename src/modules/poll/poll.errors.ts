/** The poll module's own errors, each carrying its code from the closed set (src/graphql/errors.ts). */
import { ClientError, ErrorCode } from '../../graphql/errors';

/** A vote, retraction or close of a poll that is closed (by its author, or because closesAt has passed). */
export class PollClosedError extends ClientError {
  constructor() {
    super('This poll is closed.', ErrorCode.POLL_CLOSED);
  }
}

/** editPoll with `options` once anyone has a vote: replacing the options would void or misplace the votes cast. */
export class PollHasVotesError extends ClientError {
  constructor() {
    super('This poll has votes: its options can no longer change (its title, description and topics still can).', ErrorCode.POLL_HAS_VOTES);
  }
}
