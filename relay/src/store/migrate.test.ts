import { describe, expect, it } from 'vitest';
import { migrationsFor } from './migrate';

describe('migrations', () => {
  it('has the same migration names for both engines, so both schemas move in step', () => {
    const sqlite = migrationsFor('sqlite').map((migration) => migration.name);
    const postgres = migrationsFor('postgres').map((migration) => migration.name);
    expect(sqlite.length).toBeGreaterThan(0);
    expect(postgres).toEqual(sqlite);
  });
});
