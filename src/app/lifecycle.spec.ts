import { createLogger } from '../logger';
import { startSteps, Step } from './lifecycle';

const silent = createLogger('silent');

/** Steps that record what ran; `failAt` makes that step's start (or `failStop` its stop) throw. */
function recorded(names: string[], options: { failAt?: string; failStop?: string } = {}) {
  const log: string[] = [];
  const steps: Step[] = names.map((name) => ({
    name,
    start: async () => {
      log.push(`start ${name}`);
      if (options.failAt === name) throw new Error(`${name} failed`);
    },
    stop: async () => {
      log.push(`stop ${name}`);
      if (options.failStop === name) throw new Error(`${name} failed to stop`);
    },
  }));
  return { log, steps };
}

describe('startSteps: the process as ordered steps', () => {
  it('starts in order and stops in reverse, once however often stop is called', async () => {
    const { log, steps } = recorded(['listen', 'database', 'apollo']);
    const lifecycle = await startSteps(steps, silent);
    await Promise.all([lifecycle.stop(), lifecycle.stop()]);
    await lifecycle.stop();
    expect(log).toEqual(['start listen', 'start database', 'start apollo', 'stop apollo', 'stop database', 'stop listen']);
  });

  it('after a failed start, stops the failed step and those before it, in reverse, and throws the failure', async () => {
    const { log, steps } = recorded(['listen', 'database', 'apollo'], { failAt: 'database' });
    await expect(startSteps(steps, silent)).rejects.toThrow('database failed');
    expect(log).toEqual(['start listen', 'start database', 'stop database', 'stop listen']);
  });

  it('runs every stop even when one fails, then throws the first failure', async () => {
    const { log, steps } = recorded(['listen', 'database', 'apollo'], { failStop: 'apollo' });
    const lifecycle = await startSteps(steps, silent);
    await expect(lifecycle.stop()).rejects.toThrow('apollo failed to stop');
    expect(log.slice(3)).toEqual(['stop apollo', 'stop database', 'stop listen']);
  });
});
