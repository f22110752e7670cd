/**
 * The process as an ordered list of named steps, each with its own stop.
 * Start runs them in order; if one fails, it and the steps before it are
 * stopped in reverse and the error is thrown (so a stop must cope with a
 * start that got only part of the way). Stop runs every started
 * step's stop in reverse order, once, even when one of them fails (the
 * first failure is thrown after all have run).
 */
import type { Logger } from '../logger';

export interface Step {
  name: string;
  start(): Promise<void>;
  stop?(): Promise<void>;
}

export interface Lifecycle {
  /** Stops the started steps in reverse order; later calls wait for the first. */
  stop(): Promise<void>;
}

export async function startSteps(steps: readonly Step[], logger: Logger): Promise<Lifecycle> {
  const started: Step[] = [];
  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      let failure: unknown = null;
      for (const step of started.reverse()) {
        try {
          await step.stop?.();
        } catch (error) {
          logger.error('a step failed to stop', { step: step.name, error });
          failure ??= error;
        }
      }
      if (failure) throw failure;
    })());
  for (const step of steps) {
    started.push(step);
    try {
      await step.start();
    } catch (error) {
      logger.error('start-up failed', { step: step.name, error });
      await stop().catch(() => undefined);
      throw error;
    }
  }
  return { stop };
}
