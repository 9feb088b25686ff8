/**
 * Picture blobs and their uses (migration 050). A picture is stored once per content; each
 * stored signup that points at it adds a use. Uses go with their signup (erase deletes the
 * row, the foreign key cascades) or with its personal data (retention nulls
 * `profile_picture`); `sweep()` then deletes every picture nobody uses any more.
 */
import type { SqliteStore } from '../store/sqlite-store';

export interface PictureRow {
  id: string;
  body: Buffer;
  width: number;
  height: number;
  created_at: number;
  linked_at: number | null;
}

export interface NewPicture {
  id: string;
  body: Buffer;
  width: number;
  height: number;
}

/** 32 base64url characters: 192 bits of an HMAC, unguessable without the relay's secret. */
export const PICTURE_ID_PATTERN = /^[A-Za-z0-9_-]{32}$/;

/** An uploaded picture no signup ever used is kept this long (a form abandoned after upload). */
export const UNUSED_PICTURE_TTL_MS = 24 * 3_600_000;

export class PictureStore {
  private readonly sql;

  constructor(private readonly store: SqliteStore) {
    const { db } = store;
    this.sql = {
      get: db.prepare('SELECT * FROM pictures WHERE id = ?'),
      exists: db.prepare('SELECT 1 FROM pictures WHERE id = ?'),
      insert: db.prepare(
        'INSERT OR IGNORE INTO pictures (id, body, width, height, created_at) VALUES (@id, @body, @width, @height, @now)',
      ),
      link: db.prepare('INSERT OR IGNORE INTO picture_uses (picture_id, signup_id) SELECT id, @signupId FROM pictures WHERE id = @id'),
      markLinked: db.prepare('UPDATE pictures SET linked_at = COALESCE(linked_at, @now) WHERE id = @id'),
      dropPurgedUses: db.prepare(
        `DELETE FROM picture_uses WHERE signup_id IN (SELECT id FROM signups WHERE profile_picture IS NULL)`,
      ),
      deleteUnused: db.prepare(
        `DELETE FROM pictures
         WHERE NOT EXISTS (SELECT 1 FROM picture_uses WHERE picture_id = pictures.id)
           AND (linked_at IS NOT NULL OR created_at < @abandonedBefore)`,
      ),
      idsOfSignup: db.prepare('SELECT picture_id FROM picture_uses WHERE signup_id = ?'),
    };
  }

  get(id: string): PictureRow | undefined {
    return this.sql.get.get(id) as PictureRow | undefined;
  }

  has(id: string): boolean {
    return this.sql.exists.get(id) !== undefined;
  }

  /** Stores a picture unless the same content is already there (same id). */
  async put(picture: NewPicture, now: number): Promise<void> {
    await this.store.commits.run(() => this.sql.insert.run({ ...picture, now }));
  }

  /** Records that a stored signup uses a picture; false when no such picture is stored. */
  async link(id: string, signupId: string, now: number): Promise<boolean> {
    return this.store.commits.run(() => {
      if (!this.sql.exists.get(id)) return false;
      this.sql.link.run({ id, signupId });
      this.sql.markLinked.run({ id, now });
      return true;
    });
  }

  picturesOf(signupId: string): string[] {
    return (this.sql.idsOfSignup.all(signupId) as { picture_id: string }[]).map((row) => row.picture_id);
  }

  /** Deletes pictures no signup uses any more; resolves with how many went. */
  async sweep(now: number): Promise<number> {
    return this.store.commits.run(() => {
      this.sql.dropPurgedUses.run();
      return this.sql.deleteUnused.run({ abandonedBefore: now - UNUSED_PICTURE_TTL_MS }).changes;
    });
  }
}
