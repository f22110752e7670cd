/** The member module's own errors, each carrying its code from the closed set (src/graphql/errors.ts). */
import { BadUserInputError } from '../../graphql/errors';

/**
 * The password given to confirm an account operation (changePassword, deleteAccount) is not the
 * member's: BAD_USER_INPUT on that field, and a failed guess for the password-attempt limit.
 */
export class WrongPasswordError extends BadUserInputError {
  constructor(field: string) {
    super(field, 'is not the password in use.');
  }
}
