// Redirect throughput: Clicktrail's tracked redirect vs a bare fastify 302 (see bench/README.md).
// Usage: npx tsx bench/redirect.ts [--json]   env: BENCH_SECONDS (10), BENCH_CONNECTIONS (50)
import fs from "node:fs";
import { createServer } from "node:http";
import os from "node:os";
import path from "node:path";
import {
  api,
  createApiKey,
  ensureBuilt,
  loadOptions,
  machineLine,
  startClicktrail,
} from "./lib/clicktrail.js";
import {
  freePort,
  httpRequest,
  onExit,
  printOutputTails,
  type ServerProcess,
  spawnServer,
  waitForHttp,
} from "./lib/server.js";
import { rssMb, runWrk, table, type WrkResult } from "./lib/wrk.js";

const { seconds, connections, asJson, log } = loadOptions();

const LINK = { url: "https://example.com/landing?ref=bench", key: "bench", trackConversion: true };

/** The link's click counter (the clicks are committed before their 302s, so no waiting). */
async function clicksOf(server: ServerProcess, apiKey: string, domain: string): Promise<number> {
  const info = await api(
    server,
    apiKey,
    "GET",
    `/links/info?domain=${encodeURIComponent(domain)}&key=${LINK.key}`,
  );
  if (typeof info.clicks !== "number") throw new Error(`GET /api/links/info: no numeric "clicks"`);
  return info.clicks;
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "clicktrail-bench-"));
const removeDataDir = () => fs.rmSync(dataDir, { recursive: true, force: true });
onExit(removeDataDir);
const servers: ServerProcess[] = [];

async function stopServer(server: ServerProcess): Promise<void> {
  if (!(await server.stop()))
    log(`WARNING: ${server.name} did not exit within 10 s of SIGTERM; killed with SIGKILL`);
}

function problems(name: string, r: WrkResult): void {
  if (r.badStatus > 0 || r.socketErrors > 0)
    log(
      `ERRORS ${name}: ${r.badStatus} responses with status >= 400, ${r.socketErrors} socket errors/timeouts`,
    );
}

try {
  log(machineLine());
  log(
    `load: wrk, ${connections} connections, ${seconds} s per scenario, every request a new visitor (User-Agent and X-Forwarded-For)`,
  );
  ensureBuilt(log, asJson);
  const apiKey = createApiKey(dataDir);
  const server = await startClicktrail(dataDir, await freePort());
  servers.push(server);
  const pid = server.child.pid as number;
  const link = (await api(server, apiKey, "POST", "/links", LINK)) as { domain: string; shortLink: string };
  log(`link: ${link.shortLink} (domain ${link.domain})`);

  const basePort = await freePort();
  const baseline = spawnServer({
    name: "baseline",
    port: basePort,
    args: ["--import", "tsx", "bench/lib/baseline-server.ts"],
    env: { PORT: String(basePort), LINK_KEY: LINK.key, LINK_URL: LINK.url },
  });
  servers.push(baseline);
  await waitForHttp(baseline, `/${LINK.key}`, { status: 302 });

  const probe = await httpRequest(`${server.baseUrl}/${LINK.key}`, {
    headers: { host: link.domain, "user-agent": "Mozilla/5.0 probe", "x-forwarded-for": "10.255.255.255" },
  });
  if (probe.status !== 302) throw new Error(`the short link answered ${probe.status} to a probe, not 302`);
  const idleRss = rssMb(pid);

  const clicktrailLoad = () =>
    runWrk({
      url: `${server.baseUrl}/${LINK.key}`,
      seconds,
      connections,
      headers: { Host: link.domain },
      rssOf: pid,
    });
  const baselineLoad = () =>
    runWrk({ url: `${baseline.baseUrl}/${LINK.key}`, seconds, connections, rssOf: baseline.child.pid });

  if (process.env.BENCH_CPU_PROF) {
    // Profiling: one tracked run, then the server stops and writes its profile (analyse the last `seconds`).
    log(`profiling: clicktrail only (${seconds} s)...`);
    const c = await clicktrailLoad();
    await stopServer(server);
    await stopServer(baseline);
    log(table([{ name: "clicktrail tracked (under --cpu-prof)", result: c, idleRssMb: idleRss }]));
    log(`profile written to ${process.env.BENCH_CPU_PROF}`);
    process.exit(0);
  }

  // Two rounds, alternating, so that a burst of load from elsewhere on the machine shows as a spread.
  const rounds: Array<{ baseline: WrkResult; clicktrail: WrkResult }> = [];
  for (let round = 1; round <= 2; round++) {
    log(`round ${round}: baseline (${seconds} s), then clicktrail (${seconds} s)...`);
    const b = await baselineLoad();
    const c = await clicktrailLoad();
    rounds.push({ baseline: b, clicktrail: c });
  }
  const answered =
    rounds.reduce((sum, r) => sum + r.clicktrail.totalRequests - r.clicktrail.badStatus, 0) + 1;
  const recorded = await clicksOf(server, apiKey, link.domain);

  // Same load while a webhook receiver is subscribed to link.clicked: every click also queues an outbox message.
  let received = 0;
  const receiver = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      received++;
      response.end("ok");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const receiverPort = (receiver.address() as { port: number }).port;
  await api(server, apiKey, "POST", "/webhooks", {
    name: "bench",
    url: `http://127.0.0.1:${receiverPort}/`,
    triggers: ["link.clicked"],
  });
  await new Promise((resolve) => setTimeout(resolve, 2_500)); // the subscriber check is cached for 2 s
  log(
    `webhook round: baseline (${seconds} s), then clicktrail with a link.clicked webhook (${seconds} s)...`,
  );
  const wb = await baselineLoad();
  const w = await clicktrailLoad();
  const webhookEvents = w.totalRequests - w.badStatus;
  const drainStarted = Date.now();
  while (received < webhookEvents && Date.now() - drainStarted < 60_000) {
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const drainSeconds = (Date.now() - drainStarted) / 1000;
  receiver.close();

  log();
  log(
    table([
      ...rounds.flatMap((r, i) => [
        { name: `baseline (fastify + Map), round ${i + 1}`, result: r.baseline },
        {
          name: `clicktrail tracked, round ${i + 1}`,
          result: r.clicktrail,
          ratioTo: r.baseline,
          idleRssMb: idleRss,
        },
      ]),
      { name: "baseline, webhook round", result: wb },
      { name: "clicktrail + link.clicked webhook", result: w, ratioTo: wb },
    ]),
  );
  log();
  log(`${machineLine()} (after the run)`);
  log(
    `link.clicked delivered ${received} of ${webhookEvents}, ${drainSeconds.toFixed(1)} s after the load stopped`,
  );
  // wrk counts only the responses it read; a request in flight when it stopped may still be recorded.
  const match = recorded >= answered && recorded <= answered + 2 * connections;
  log(
    `clicks recorded: ${recorded}; tracked 302s answered: ${answered} (incl. the probe)${match ? "" : "  WARNING: mismatch"}`,
  );
  rounds.forEach((r, i) => {
    problems(`baseline ${i + 1}`, r.baseline);
    problems(`clicktrail ${i + 1}`, r.clicktrail);
  });
  problems("webhook", w);
  await stopServer(server);
  await stopServer(baseline);
  for (const s of servers) {
    const tail = s.outputTail(10);
    if (tail) log(`--- ${s.name} output (last lines) ---\n${tail}`);
  }
  if (asJson) {
    const summary = {
      node: process.version,
      loadavg: os.loadavg(),
      connections,
      seconds,
      rounds,
      webhook: { baseline: wb, clicktrail: w, events: webhookEvents, delivered: received, drainSeconds },
      ratios: rounds.map((r) => r.clicktrail.requestsPerSec / r.baseline.requestsPerSec),
      webhookRatio: w.requestsPerSec / wb.requestsPerSec,
      clicks: { recorded, answered, match },
      idleRssMb: idleRss,
    };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  }
} catch (err) {
  printOutputTails(servers);
  throw err;
} finally {
  for (const s of servers) await stopServer(s);
  removeDataDir();
}
