/** The member module's own errors, each carrying its code from the closed set (src/graphql/errors.ts). */
import { BadUserInputError, ClientError, ErrorCode } from '../../graphql/errors';

/**
 * The password given to confirm an account operation (changePassword, deleteAccount) is not the
 * member's: BAD_USER_INPUT on that field, and a failed guess for the password-attempt limit.
 */
export class WrongPasswordError extends BadUserInputError {
  constructor(field: string) {
    super(field, 'is not the password in use.');
  }
}

/**
 * logIn of a suspended member with the right password: FORBIDDEN with the reason and when the
 * suspension ends (null: until lifted). Only after the password matched, so a guesser never
 * learns that an account is suspended (a wrong password stays UNAUTHENTICATED).
 */
export class SuspendedError extends ClientError {
  constructor(suspendedUntil: Date | null) {
    super('This account is suspended.', ErrorCode.FORBIDDEN, { reason: 'SUSPENDED', suspendedUntil: suspendedUntil ? suspendedUntil.toISOString() : null });
  }
}
