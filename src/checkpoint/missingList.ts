import type Database from 'better-sqlite3';
import { usernameKey } from '../shared/usernameKey.js';
import type { MissingCustomer } from '../types.js';
import type { MissingList } from './journalTypes.js';

/**
 * The run's usernames go into an indexed temporary table once, so each page of the account is compared by lookups
 * rather than a scan of the run's rows (their index covers open rows only), and neither the file's usernames nor the
 * account's customers are held in memory. Temporary tables spill to a temporary file past SQLite's cache.
 */
export function createMissingList(db: Database.Database, runId: string): MissingList {
  db.exec(`
    CREATE TEMP TABLE IF NOT EXISTS file_usernames (username_key TEXT PRIMARY KEY) WITHOUT ROWID;
    CREATE TEMP TABLE IF NOT EXISTS missing_customers (
      seq INTEGER PRIMARY KEY, username TEXT NOT NULL, id TEXT NOT NULL, primary_email TEXT
    );
    DELETE FROM temp.file_usernames;
    DELETE FROM temp.missing_customers;
  `);
  db.prepare(
    `INSERT OR IGNORE INTO temp.file_usernames SELECT username_key FROM run_rows
     WHERE run_id = ? AND username_key <> ''`,
  ).run(runId);
  const held = db.prepare('SELECT 1 FROM temp.file_usernames WHERE username_key = ?').pluck();
  const insert = db.prepare('INSERT INTO temp.missing_customers (username, id, primary_email) VALUES (?, ?, ?)');
  const count = db.prepare('SELECT COUNT(*) FROM temp.missing_customers').pluck();
  const list = db.prepare(
    'SELECT username, id, primary_email AS primaryEmail FROM temp.missing_customers ORDER BY seq',
  );
  return {
    add: db.transaction((customers: readonly MissingCustomer[]) => {
      let kept = 0;
      for (const c of customers) {
        if (held.get(usernameKey(c.username)) !== undefined) continue;
        insert.run(c.username, c.id, c.primaryEmail);
        kept++;
      }
      return kept;
    }),
    count: () => count.get() as number,
    customers: () => list.iterate() as Iterable<MissingCustomer>,
  };
}
