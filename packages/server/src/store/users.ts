import { createHash } from "node:crypto";
import { type Connection, now, type Row } from "./connection.js";
import type { UserRecord } from "./types.js";

const hashKey = (key: string): string => createHash("sha256").update(key, "utf8").digest("hex");

/** A `users` row as a record (also read joined to memberships). */
export const user = (r: Row): UserRecord => ({
  id: r.id as number,
  username: r.username as string,
  email: (r.email as string | null) ?? null,
  admin: r.admin === 1,
  createdAt: r.created_at as string,
});

/** Users and their API keys (stored as SHA-256 hashes). */
export class Users {
  constructor(private readonly c: Connection) {}

  userById(id: number): UserRecord | undefined {
    const r = this.c.q("SELECT * FROM users WHERE id = ?").get(id) as Row | undefined;
    return r && user(r);
  }
  userByName(username: string): UserRecord | undefined {
    const r = this.c.q("SELECT * FROM users WHERE username = ?").get(username) as Row | undefined;
    return r && user(r);
  }
  userByApiKey(key: string): UserRecord | undefined {
    const r = this.c.q("SELECT u.* FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.key_hash = ?").get(hashKey(key)) as Row | undefined;
    return r && user(r);
  }
  upsertUser(input: { username: string; email?: string | null; admin?: boolean }): UserRecord {
    const existing = this.userByName(input.username);
    if (existing) {
      this.c.q("UPDATE users SET email = ?, admin = ? WHERE id = ?").run(
        input.email === undefined ? existing.email : input.email,
        (input.admin ?? existing.admin) ? 1 : 0,
        existing.id,
      );
      return this.userById(existing.id) as UserRecord;
    }
    const id = this.c.q("INSERT INTO users (username, email, admin, created_at) VALUES (?, ?, ?, ?)").run(
      input.username,
      input.email ?? null,
      input.admin ? 1 : 0,
      now(),
    ).lastInsertRowid;
    return this.userById(Number(id)) as UserRecord;
  }
  addApiKey(userId: number, key: string): void {
    this.c.q("INSERT INTO api_keys (key_hash, user_id, created_at) VALUES (?, ?, ?) ON CONFLICT (key_hash) DO UPDATE SET user_id = excluded.user_id").run(
      hashKey(key),
      userId,
      now(),
    );
  }
  hasApiKeys(): boolean {
    return this.c.q("SELECT 1 FROM api_keys LIMIT 1").get() !== undefined;
  }
  apiKeysOf(userId: number): readonly { id: number; hash: string; createdAt: string }[] {
    const rows = this.c.q("SELECT rowid AS id, key_hash, created_at FROM api_keys WHERE user_id = ? ORDER BY rowid").all(userId) as Row[];
    return rows.map((r) => ({ id: Number(r.id), hash: String(r.key_hash), createdAt: String(r.created_at) }));
  }
}
