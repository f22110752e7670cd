import { InitialSchema1764100000000 } from './1764100000000-initial-schema';

/** PostgreSQL migrations, oldest first. */
export const POSTGRES_MIGRATIONS = [InitialSchema1764100000000];
