import { explainRecommendation, explanationOf, RecommendationReason, sharedTopicsOf, TopicFacts } from './recommendation-explanation';

const topic = (id: number, slug: string, name: string, postCount: number): TopicFacts => ({ id, slug, name, postCount });

describe('explanationOf', () => {
  it('names one, two and three topics, then the first three and how many more', () => {
    expect(explanationOf(['Remote Work'])).toBe('Shares Remote Work');
    expect(explanationOf(['Remote Work', 'Leadership'])).toBe('Shares Remote Work and Leadership');
    expect(explanationOf(['Remote Work', 'Leadership', 'Hiring'])).toBe('Shares Remote Work, Leadership and Hiring');
    expect(explanationOf(['Remote Work', 'Leadership', 'Hiring', 'Budgets'])).toBe('Shares Remote Work, Leadership, Hiring and 1 more');
    expect(explanationOf(['Remote Work', 'Leadership', 'Hiring', 'Budgets', 'Vendors'])).toBe('Shares Remote Work, Leadership, Hiring and 2 more');
  });

  it('says "Popular in the community" when nothing is shared', () => {
    expect(explanationOf([])).toBe('Popular in the community');
  });
});

describe('sharedTopicsOf', () => {
  const remote = topic(1, 'remote-work', 'Remote Work', 9);
  const leadership = topic(2, 'leadership', 'Leadership', 4);
  const hiring = topic(3, 'hiring', 'Hiring', 4);
  const budgets = topic(4, 'budgets', 'Budgets', 12);

  it('keeps the topics both posts have (by id), most used first, then by slug', () => {
    expect(sharedTopicsOf([remote, leadership, hiring], [leadership, budgets, hiring, remote])).toEqual([remote, hiring, leadership]);
  });

  it('orders slugs by code point, letters beyond U+FFFF after those below', () => {
    const astral = topic(5, '\u{1d400}', 'Bold A', 1);
    const high = topic(6, '\uff41', 'Fullwidth a', 1);
    expect(sharedTopicsOf([astral, high], [astral, high]).map((shared) => shared.id)).toEqual([6, 5]);
    expect(
      sharedTopicsOf([topic(7, 'ab', 'Ab', 1), topic(8, 'a', 'A', 1)], [topic(7, 'ab', 'Ab', 1), topic(8, 'a', 'A', 1)]).map((shared) => shared.id),
    ).toEqual([8, 7]);
  });

  it('is empty when relatedTo has no topics or shares none', () => {
    expect(sharedTopicsOf([], [remote, leadership])).toEqual([]);
    expect(sharedTopicsOf([budgets], [remote, leadership])).toEqual([]);
  });
});

describe('explainRecommendation', () => {
  it('is SHARED_TOPICS exactly when a topic is shared, POPULAR otherwise', () => {
    const remote = topic(1, 'remote-work', 'Remote Work', 2);
    expect(explainRecommendation([remote], [remote])).toEqual({
      reason: RecommendationReason.SHARED_TOPICS,
      sharedTopics: [remote],
      explanation: 'Shares Remote Work',
    });
    expect(explainRecommendation([], [remote])).toEqual({ reason: RecommendationReason.POPULAR, sharedTopics: [], explanation: 'Popular in the community' });
  });
});
