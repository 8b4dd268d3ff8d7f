// A server on a shared PostgreSQL database refuses a schema it was not built for, instead of fighting over it.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import pg from "pg";
import { loadConfig } from "../../src/config.js";
import { SchemaMismatch } from "../../src/store/migrations/index.js";
import { openStorage } from "../../src/store/open-storage.js";

const adminUrl = process.env.CLICKTRAIL_TEST_PG_URL;
const skip = process.env.CLICKTRAIL_TEST_STORE !== "postgres" && "runs in the PostgreSQL pass";

describe("schema version on PostgreSQL", { skip: skip || (!adminUrl && "no test PostgreSQL") }, () => {
  let url: string;
  const name = `clicktrail_schema_${Date.now()}`;
  const admin = () => new pg.Client({ connectionString: adminUrl });

  before(async () => {
    const client = admin();
    await client.connect();
    await client.query(`CREATE DATABASE ${name}`);
    await client.end();
    const target = new URL(adminUrl as string);
    target.pathname = `/${name}`;
    url = target.toString();
  });

  after(async () => {
    const client = admin();
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.end();
  });

  const config = () => loadConfig({ DATABASE_URL: url, LOG_LEVEL: "silent" });

  test("an empty database is refused until `clicktrail migrate` has run", async () => {
    await assert.rejects(openStorage(config()), (error) => {
      assert.ok(error instanceof SchemaMismatch);
      assert.match(error.message, /behind.*run `clicktrail migrate`/);
      return true;
    });
  });

  test("migrating applies every migration once, then servers open it", async () => {
    const first = await openStorage(config(), { migrate: true });
    assert.ok(first.appliedMigrations.length > 0);
    await first.db.destroy();
    const again = await openStorage(config(), { migrate: true });
    assert.deepEqual(again.appliedMigrations, [], "nothing left to apply");
    await again.db.destroy();
    const server = await openStorage(config());
    assert.ok(await server.stores.settings.get("visitor_hash_secret"), "the checked schema serves reads");
    await server.db.destroy();
  });

  test("a schema newer than this code is refused with an upgrade message", async () => {
    const storage = await openStorage(config());
    await sql`INSERT INTO kysely_migration (name, timestamp) VALUES ('9999_from_the_future', '2099-01-01')`.execute(
      storage.db,
    );
    await storage.db.destroy();
    await assert.rejects(openStorage(config()), (error) => {
      assert.ok(error instanceof SchemaMismatch);
      assert.match(error.message, /newer.*upgrade Clicktrail/);
      return true;
    });
  });
});
