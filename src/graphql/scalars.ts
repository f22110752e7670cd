import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { ErrorCode } from './errors';

/** The contract's DateTime: ISO-8601 in UTC, always with milliseconds and "Z". */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An ISO-8601 date-time string in UTC.',
  serialize(value) {
    const date = value instanceof Date ? value : new Date(value as string | number);
    if (Number.isNaN(date.getTime())) throw new GraphQLError('DateTime cannot represent an invalid date.');
    return date.toISOString();
  },
  parseValue(value) {
    return parseDate(value);
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) {
      throw new GraphQLError('DateTime must be an ISO-8601 string, e.g. "2026-12-01T09:00:00Z".', { extensions: { code: ErrorCode.BAD_USER_INPUT } });
    }
    return parseDate(ast.value);
  },
});

// Requires a full date and time with an explicit zone, so "tomorrow" or "2026-12-01" never pass as a time.
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function invalid(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.BAD_USER_INPUT } });
}

function parseDate(value: unknown): Date {
  const match = typeof value === 'string' ? ISO_DATE_TIME.exec(value) : null;
  if (!match) throw invalid('DateTime must be an ISO-8601 string with a time zone, e.g. "2026-12-01T09:00:00Z".');
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => Number(part ?? 0));
  // JavaScript would roll "February 31" over to March: refuse dates that do not exist.
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) {
    throw invalid(`DateTime ${value as string} is not a date and time that exists.`);
  }
  const date = new Date(value as string);
  if (Number.isNaN(date.getTime())) throw invalid('DateTime is not a valid date.');
  return date;
}
