import { InitialSchema1764100000000 } from './1764100000000-initial-schema';

/** SQLite migrations, oldest first. */
export const SQLITE_MIGRATIONS = [InitialSchema1764100000000];
