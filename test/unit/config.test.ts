import assert from "node:assert/strict";
import { availableParallelism } from "node:os";
import { describe, test } from "node:test";
import { ConfigError, loadConfig } from "../../src/config.js";

/** Asserts that `env` is refused with a ConfigError naming `variable` and saying what it accepts. */
function assertRefused(env: Record<string, string>, variable: string, accepts: RegExp) {
  assert.throws(
    () => loadConfig(env),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${error}`);
      const problem = error.problems.find((line) => line.startsWith(`${variable}=`));
      assert.ok(problem, `no problem names ${variable}: ${JSON.stringify(error.problems)}`);
      assert.ok(
        problem.includes(JSON.stringify(env[variable])),
        `the problem quotes the bad value: ${problem}`,
      );
      assert.match(problem, accepts);
      assert.ok(error.message.includes(problem), "the message carries every problem");
      return true;
    },
  );
}

describe("loadConfig defaults", () => {
  test("an empty environment is the embedded mode", () => {
    const config = loadConfig({});
    assert.equal(config.port, 8080);
    assert.equal(config.host, "127.0.0.1");
    assert.equal(config.dataDir, "./data");
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.redisUrl, undefined);
    assert.equal(config.shortDomain, "localhost:8080");
    assert.equal(config.apiHost, undefined);
    assert.equal(config.shortLinkProtocol, "http");
    assert.equal(config.rateLimitPerMinute, 600);
    assert.equal(config.anonymizeIp, false);
    assert.equal(config.trustProxy, false);
    assert.equal(config.clickDedupeSeconds, 3600);
    assert.equal(config.sqliteSynchronous, "full");
    assert.equal(config.logLevel, "info");
  });

  test("empty strings count as unset", () => {
    const config = loadConfig({ PORT: "", SHORT_DOMAIN: "", RATE_LIMIT_PER_MINUTE: "", ANONYMIZE_IP: "" });
    assert.equal(config.port, 8080);
    assert.equal(config.shortDomain, "localhost:8080");
    assert.equal(config.rateLimitPerMinute, 600);
    assert.equal(config.anonymizeIp, false);
  });

  test("the default short domain follows PORT; a public SHORT_DOMAIN defaults to https and is lower-cased", () => {
    assert.equal(loadConfig({ PORT: "9123" }).shortDomain, "localhost:9123");
    const custom = loadConfig({ SHORT_DOMAIN: "Go.Example.COM" });
    assert.equal(custom.shortDomain, "go.example.com");
    assert.equal(custom.shortLinkProtocol, "https");
    assert.equal(loadConfig({ SHORT_DOMAIN: "127.0.0.1:9000" }).shortLinkProtocol, "http");
    assert.equal(
      loadConfig({ SHORT_DOMAIN: "go.example.com", SHORT_LINK_PROTOCOL: "http" }).shortLinkProtocol,
      "http",
    );
  });

  test("values are parsed into their types", () => {
    const config = loadConfig({
      PORT: "0",
      RATE_LIMIT_PER_MINUTE: "42",
      ANONYMIZE_IP: "true",
      TRUST_PROXY: "1",
      CLICK_DEDUPE_SECONDS: "0",
      SQLITE_SYNCHRONOUS: "normal",
      DATABASE_URL: "sqlite:/tmp/x",
      REDIS_URL: "redis://localhost:6379",
    });
    assert.equal(config.port, 0);
    assert.equal(config.rateLimitPerMinute, 42);
    assert.equal(config.anonymizeIp, true);
    assert.equal(config.trustProxy, true);
    assert.equal(config.clickDedupeSeconds, 0);
    assert.equal(config.sqliteSynchronous, "normal");
    assert.equal(config.databaseUrl, "sqlite:/tmp/x");
    assert.equal(config.redisUrl, "redis://localhost:6379");
    assert.equal(loadConfig({ ANONYMIZE_IP: "no" }).anonymizeIp, false);
    assert.equal(loadConfig({ ANALYTICS_THREADS: "0" }).analyticsThreads, 0);
    assert.equal(loadConfig({ ANALYTICS_THREADS: "3" }).analyticsThreads, 3);
  });

  test("analytics threads default to the cores, at most 4", () => {
    assert.equal(loadConfig({}).analyticsThreads, Math.min(4, availableParallelism()));
  });

  test("the config is frozen", () => {
    const config = loadConfig({});
    assert.ok(Object.isFrozen(config));
    assert.throws(() => {
      (config as { port: number }).port = 1;
    }, TypeError);
  });

  test("variables it does not know are ignored", () => {
    assert.equal(loadConfig({ PATH: "/bin", SOMETHING_ELSE: "x" }).port, 8080);
  });
});

describe("loadConfig refuses bad values", () => {
  for (const value of ["abc", "70000", "-1", "1.5", "65536"]) {
    test(`PORT=${value}`, () => assertRefused({ PORT: value }, "PORT", /port number/));
  }

  for (const value of ["abc", "0", "-5", "2.5"]) {
    test(`RATE_LIMIT_PER_MINUTE=${value}`, () =>
      assertRefused({ RATE_LIMIT_PER_MINUTE: value }, "RATE_LIMIT_PER_MINUTE", /positive integer/));
  }

  for (const value of [
    "http://go.example.com",
    "go example.com",
    "go.example.com/path",
    "go.example.com:port",
  ]) {
    test(`SHORT_DOMAIN=${value}`, () =>
      assertRefused({ SHORT_DOMAIN: value }, "SHORT_DOMAIN", /host name with an optional port/));
  }

  test("booleans, enums and URLs say what they accept", () => {
    assertRefused({ ANONYMIZE_IP: "maybe" }, "ANONYMIZE_IP", /true or false/);
    assertRefused({ TRUST_PROXY: "2" }, "TRUST_PROXY", /true or false/);
    assertRefused({ SQLITE_SYNCHRONOUS: "off" }, "SQLITE_SYNCHRONOUS", /full or normal/);
    assertRefused({ LOG_LEVEL: "loud" }, "LOG_LEVEL", /fatal, error, warn, info, debug, trace, silent/);
    assertRefused({ DATABASE_URL: "mysql://x" }, "DATABASE_URL", /postgres/);
    assertRefused({ REDIS_URL: "localhost:6379" }, "REDIS_URL", /redis:\/\//);
    assertRefused({ CLICK_DEDUPE_SECONDS: "soon" }, "CLICK_DEDUPE_SECONDS", /seconds/);
    assertRefused({ ANALYTICS_THREADS: "two" }, "ANALYTICS_THREADS", /whole number of threads/);
    assertRefused({ ANALYTICS_THREADS: "-1" }, "ANALYTICS_THREADS", /whole number of threads/);
  });

  test("every bad variable is reported at once", () => {
    assert.throws(
      () => loadConfig({ PORT: "abc", RATE_LIMIT_PER_MINUTE: "x", SHORT_DOMAIN: "a b" }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.deepEqual(error.problems.map((problem) => problem.split("=")[0]).sort(), [
          "PORT",
          "RATE_LIMIT_PER_MINUTE",
          "SHORT_DOMAIN",
        ]);
        return true;
      },
    );
  });
});

describe("loadConfig refuses lenient number and host forms", () => {
  test("PORT made of spaces is refused, not read as port 0", () =>
    assertRefused({ PORT: " " }, "PORT", /port number/));
  test("PORT=0x1F90 and PORT=1e3 are refused", () => {
    assertRefused({ PORT: "0x1F90" }, "PORT", /port number/);
    assertRefused({ PORT: "1e3" }, "PORT", /port number/);
  });
  test("CLICK_DEDUPE_SECONDS made of spaces is refused, not read as 0 (dedupe off)", () =>
    assertRefused({ CLICK_DEDUPE_SECONDS: " " }, "CLICK_DEDUPE_SECONDS", /seconds/));
  test("SHORT_DOMAIN with a port above 65535 or without a name is refused", () => {
    assertRefused({ SHORT_DOMAIN: "go.example.com:99999" }, "SHORT_DOMAIN", /host name/);
    assertRefused({ SHORT_DOMAIN: "..." }, "SHORT_DOMAIN", /host name/);
  });
});

describe("METATAGS_TIMEOUT_MS", () => {
  test("defaults to 5 s and takes milliseconds", () => {
    assert.equal(loadConfig({}).metatagsTimeoutMs, 5_000);
    assert.equal(loadConfig({ METATAGS_TIMEOUT_MS: "750" }).metatagsTimeoutMs, 750);
  });

  for (const value of ["99", "1.5", "fast", "-1"]) {
    test(`METATAGS_TIMEOUT_MS=${value} is refused`, () =>
      assertRefused({ METATAGS_TIMEOUT_MS: value }, "METATAGS_TIMEOUT_MS", /milliseconds|at least 100 ms/));
  }
});

describe("the test suites' password cost", () => {
  test("applies only with both NODE_ENV=test and CLICKTRAIL_TEST_PASSWORD_COST=low", () => {
    assert.equal(loadConfig({}).testPasswordCost, false);
    assert.equal(loadConfig({ CLICKTRAIL_TEST_PASSWORD_COST: "low" }).testPasswordCost, false);
    assert.equal(loadConfig({ NODE_ENV: "test" }).testPasswordCost, false);
    assert.equal(
      loadConfig({ NODE_ENV: "production", CLICKTRAIL_TEST_PASSWORD_COST: "low" }).testPasswordCost,
      false,
    );
    assert.equal(
      loadConfig({ NODE_ENV: "test", CLICKTRAIL_TEST_PASSWORD_COST: "LOW" }).testPasswordCost,
      false,
    );
    assert.equal(
      loadConfig({ NODE_ENV: "test", CLICKTRAIL_TEST_PASSWORD_COST: "low" }).testPasswordCost,
      true,
    );
  });
});
