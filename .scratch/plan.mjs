import SQLite from "better-sqlite3";
const db = new SQLite(process.argv[2] + "/clicktrail.sqlite", { readonly: true });
const ws = db.prepare("select id from workspaces").pluck().get();
const now = Date.now();
const q = `with segments (bucket, lo, hi, grain) as (values (cast(0 as integer), cast(? as bigint), cast(? as bigint), cast('day' as text)))
select s.bucket as bucket, cast('' as text) as key, sum(r.clicks) as clicks from segments s join rollups r on r.workspace_id = ? and r.dimension = 'all' and r.hours = 24 and r.link_id = '' and r.period >= s.lo and r.period < s.hi where s.grain = 'day' group by s.bucket`;
console.log(db.prepare("explain query plan " + q).all(now - 365*864e5, now, ws));
let t = performance.now(); console.log(db.prepare(q).all(now - 365*864e5, now, ws), performance.now() - t);
console.log(db.prepare("select count(*) from rollups").get());
console.log(db.prepare("select * from sqlite_stat1 where tbl='rollups'").all());
