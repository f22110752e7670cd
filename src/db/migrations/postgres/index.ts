import { InitialSchema1764100000000 } from './1764100000000-initial-schema';
import { HealthProbe1764900000000 } from './1764900000000-health-probe';
import { Authoring1765000000000 } from './1765000000000-authoring';
import { Moderation1765200000000 } from './1765200000000-moderation';
import { Insights1765400000000 } from './1765400000000-insights';

/** PostgreSQL migrations, oldest first. */
export const POSTGRES_MIGRATIONS = [
  InitialSchema1764100000000,
  HealthProbe1764900000000,
  Authoring1765000000000,
  Moderation1765200000000,
  Insights1765400000000,
];
