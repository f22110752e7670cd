import { cleanTopicNames, slugify } from './topic.service';

describe('topic slugs', () => {
  it.each([
    ['Remote Work', 'remote-work'],
    ['  AI / ML  ', 'ai-ml'],
    ['Café Culture', 'cafe-culture'],
    ['C++', 'c'],
    ['Кибербезопасность', 'кибербезопасность'],
    ['日本語 AI', '日本語-ai'],
    ['ความปลอดภัย', 'ความปลอดภัย'],
    ['!!!', ''],
  ])('%s -> %s', (name, slug) => expect(slugify(name)).toBe(slug));

  it('collapses names that share a slug and caps the count', () => {
    expect(cleanTopicNames(['Remote Work', 'remote  work', 'AI'], 'topics')).toEqual([
      { name: 'Remote Work', slug: 'remote-work' },
      { name: 'AI', slug: 'ai' },
    ]);
    expect(() =>
      cleanTopicNames(
        Array.from({ length: 11 }, (_, i) => `T${i}`),
        'topics',
      ),
    ).toThrow();
    expect(() => cleanTopicNames(['ok', '%%%'], 'topics')).toThrow(expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: 'topics[1]' } }));
  });
});
