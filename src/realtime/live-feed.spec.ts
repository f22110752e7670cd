import type { Logger } from '../logger';
import { FeedSubscriber, LiveFeed } from './live-feed';
import { SubscriptionRegistry } from './subscription-registry';

const silent: Logger = { error() {}, warn() {}, info() {}, debug() {}, child: () => silent };

/** A feed whose flush hands one payload to each cohort the test chose. */
class TestFeed extends LiveFeed<string, FeedSubscriber<string>> {
  cohorts: Array<{ cohort: FeedSubscriber<string>[]; item: string }> = [];

  constructor() {
    super('test', new SubscriptionRegistry(), 0, silent);
  }

  add(targetId: number): FeedSubscriber<string> {
    const subscriber: FeedSubscriber<string> = { viewerId: null, queue: this.createQueue(targetId, null, () => subscriber, { kind: 'latest' }) };
    this.join(targetId, subscriber);
    return subscriber;
  }

  protected async flush(): Promise<void> {
    for (const { cohort, item } of this.cohorts) this.deliver(cohort, item);
  }

  run(): Promise<void> {
    return this.flush();
  }
}

describe('LiveFeed.deliver', () => {
  it('hands each cohort its one payload, through each queue and its policy, and skips ended queues', async () => {
    const feed = new TestFeed();
    const [a, b, c] = [feed.add(1), feed.add(1), feed.add(1)];
    await c.queue.return();
    feed.cohorts = [
      { cohort: [a, b, c], item: 'first' },
      { cohort: [a], item: 'newer' },
    ];
    await feed.run();

    expect((await a.queue.next()).value).toBe('newer'); // 'latest': the unsent item is superseded
    expect((await b.queue.next()).value).toBe('first');
    expect(c.queue.backlog).toBe(0);
    expect(feed.messages).toEqual({ sent: 2, superseded: 1, discarded: 0 });
    expect(feed.size).toBe(2);
    feed.stop();
  });
});
