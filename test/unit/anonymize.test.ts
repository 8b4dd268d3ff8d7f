import assert from "node:assert/strict";
import { isIP } from "node:net";
import { test } from "node:test";
import { anonymize } from "../../src/domain/clicks/ip-address.js";

test("IPv4: the last octet becomes 0", () => {
  assert.equal(anonymize("8.8.8.8"), "8.8.8.0");
  assert.equal(anonymize("203.0.113.255"), "203.0.113.0");
  assert.equal(anonymize("10.1.2.0"), "10.1.2.0");
  assert.equal(anonymize("255.255.255.255"), "255.255.255.0");
});

test("IPv6: only the first 48 bits are kept, in canonical form", () => {
  assert.equal(anonymize("2001:4860:4860::8888"), "2001:4860:4860::");
  assert.equal(anonymize("2001:db8:85a3:8d3:1319:8a2e:370:7348"), "2001:db8:85a3::");
  assert.equal(anonymize("2001:0db8:85a3:0000:0000:8a2e:0370:7334"), "2001:db8:85a3::");
  assert.equal(anonymize("2001:DB8:ABCD:12:1:2:3:4"), "2001:db8:abcd::");
  assert.equal(anonymize("2001:db8::1"), "2001:db8::");
  assert.equal(anonymize("2a00:1450:4001:82b::200e"), "2a00:1450:4001::");
});

test("IPv6 `::` forms at either end or in the middle", () => {
  assert.equal(anonymize("::"), "::");
  assert.equal(anonymize("::1"), "::");
  assert.equal(anonymize("fe80::"), "fe80::");
  assert.equal(anonymize("fe80::1ff:fe23:4567:890a"), "fe80::");
  assert.equal(anonymize("fe80::1%eth0"), "fe80::");
  assert.equal(anonymize("1:2:3::"), "1:2:3::");
  assert.equal(anonymize("0:0:5::8"), "0:0:5::");
  assert.equal(anonymize("1::2:3:4:5:6:7"), "1:0:2::");
});

test("the same network anonymises to the same string whatever the spelling", () => {
  const spellings = ["2001:db8:0:1::1", "2001:0DB8:0000:0001:0000:0000:0000:0002", "2001:db8::1:0:0:0:ff"];
  assert.deepEqual(new Set(spellings.map(anonymize)), new Set(["2001:db8::"]));
});

test("IPv4-mapped IPv6 keeps the IPv4 network, like plain IPv4", () => {
  assert.equal(anonymize("::ffff:8.8.8.8"), "::ffff:8.8.8.0");
  assert.equal(anonymize("::FFFF:192.0.2.77"), "::ffff:192.0.2.0");
  assert.equal(anonymize("0:0:0:0:0:ffff:8.8.8.8"), "::ffff:8.8.8.0");
  assert.equal(anonymize("::ffff:808:808"), "::ffff:8.8.8.0");
});

test("every result is itself a valid address", () => {
  for (const ip of ["8.8.8.8", "2001:4860:4860::8888", "::ffff:8.8.4.4", "::1", "fe80::1"]) {
    const result = anonymize(ip);
    assert.notEqual(isIP(result), 0, `${ip} → ${result}`);
  }
});

test("something that is not an address is dropped rather than stored", () => {
  for (const value of ["garbage", "8.8.8.8:1234", "unknown", "", "1.2.3", "2001:db8::g"]) {
    assert.equal(anonymize(value), "", JSON.stringify(value));
  }
});
