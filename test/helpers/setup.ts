/** Loaded by jest (setupFilesAfterEnv) before every test file: what helpers start is disposed automatically. */
import { disposeLeftoversAutomatically } from './leftovers';

disposeLeftoversAutomatically();
