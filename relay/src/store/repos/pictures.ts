/**
 * Picture blobs and their uses (migration 050). A picture is stored once per content; each
 * stored signup that points at it adds a use. Uses go with their signup (erase deletes the
 * row, the foreign key cascades) or with its personal data (retention nulls
 * `profile_picture`); `sweep()` then deletes every picture nobody uses any more.
 */
import type { Sql } from '../sql';

export interface StoredPicture {
  id: string;
  body: Buffer;
  width: number;
  height: number;
  createdAt: number;
}

export interface NewPicture {
  id: string;
  body: Buffer;
  width: number;
  height: number;
}

/** An uploaded picture no signup ever used is kept this long (a form abandoned after upload). */
export const UNUSED_PICTURE_TTL_MS = 24 * 3_600_000;

interface PictureRow {
  id: string;
  body: string;
  width: number;
  height: number;
  created_at: number;
}

export class PictureRepo {
  constructor(private readonly sql: Sql) {}

  async get(id: string): Promise<StoredPicture | undefined> {
    const row = await this.sql.get<PictureRow>('SELECT id, body, width, height, created_at FROM pictures WHERE id = ?', [id]);
    if (!row) return undefined;
    return { id: row.id, body: Buffer.from(row.body, 'base64'), width: row.width, height: row.height, createdAt: Number(row.created_at) };
  }

  async has(id: string): Promise<boolean> {
    return (await this.sql.get('SELECT 1 AS found FROM pictures WHERE id = ?', [id])) !== undefined;
  }

  /** Stores a picture unless the same content is already there (same id). */
  async put(picture: NewPicture, now: number): Promise<void> {
    await this.sql.run(
      'INSERT INTO pictures (id, body, width, height, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
      [picture.id, picture.body.toString('base64'), picture.width, picture.height, now],
    );
  }

  /** Records that a stored signup uses a picture; false when no such picture is stored. */
  async link(id: string, signupId: string, now: number): Promise<boolean> {
    const inserted = await this.sql.run(
      'INSERT INTO picture_uses (picture_id, signup_id) SELECT id, ? FROM pictures WHERE id = ? ON CONFLICT DO NOTHING',
      [signupId, id],
    );
    const marked = await this.sql.run('UPDATE pictures SET linked_at = COALESCE(linked_at, ?) WHERE id = ?', [now, id]);
    return inserted > 0 || marked > 0;
  }

  async picturesOf(signupId: string): Promise<string[]> {
    const rows = await this.sql.all<{ picture_id: string }>('SELECT picture_id FROM picture_uses WHERE signup_id = ?', [signupId]);
    return rows.map((row) => row.picture_id);
  }

  /** Deletes pictures no signup uses any more; resolves with how many went. */
  async sweep(now: number): Promise<number> {
    await this.sql.run('DELETE FROM picture_uses WHERE signup_id IN (SELECT id FROM signups WHERE profile_picture IS NULL)');
    return this.sql.run(
      `DELETE FROM pictures
       WHERE NOT EXISTS (SELECT 1 FROM picture_uses WHERE picture_uses.picture_id = pictures.id)
         AND (linked_at IS NOT NULL OR created_at < ?)`,
      [now - UNUSED_PICTURE_TTL_MS],
    );
  }
}
