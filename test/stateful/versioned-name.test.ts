import { contentVersionedName } from '../../lib/stateful';

describe('contentVersionedName', () => {
  test('stable for equal content, different for different content', () => {
    expect(contentVersionedName('db-migrate', { image: 'a:1' })).toMatch(/^db-migrate-[0-9a-f]{8}$/);
    expect(contentVersionedName('db-migrate', { image: 'a:1' })).toBe(contentVersionedName('db-migrate', { image: 'a:1' }));
    expect(contentVersionedName('db-migrate', { image: 'a:2' })).not.toBe(contentVersionedName('db-migrate', { image: 'a:1' }));
  });
  test('a name that cannot label the Job pods', () => {
    const base = 'j'.repeat(60);
    expect(() => contentVersionedName(base, {})).toThrow(`is 69 characters: a Job name is at most 63 (it labels the Job's pods); shorten '${base}'.`);
  });
});
