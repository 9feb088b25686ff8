import { describe, expect, it } from 'vitest';
import { newId } from './ids';

describe('newId', () => {
  it('is prefixed, 26 Crockford characters, unique and sortable by time', () => {
    const ids = Array.from({ length: 2_000 }, (_, i) => newId('sgn', 1_700_000_000_000 + Math.floor(i / 10)));
    for (const id of ids) expect(id).toMatch(/^sgn_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(new Set(ids).size).toBe(ids.length);
    const times = ids.map((id) => id.slice(4, 14));
    expect([...times].sort()).toEqual(times);
  });
});
