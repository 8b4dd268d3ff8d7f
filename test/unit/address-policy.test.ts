import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { AddressRefused, isPrivateAddress, resolvePublicTarget } from "../../src/infra/address-policy.js";

const check = (addresses: string[], expected: boolean) => {
  for (const address of addresses) assert.equal(isPrivateAddress(address), expected, address);
};

describe("isPrivateAddress", () => {
  test("IPv4 loopback, private, link-local, CGNAT, unspecified, multicast and reserved ranges", () => {
    check(
      [
        "127.0.0.1",
        "127.255.255.254",
        "10.0.0.1",
        "10.255.255.255",
        "172.16.0.1",
        "172.31.255.255",
        "192.168.0.1",
        "192.168.255.255",
        "169.254.169.254",
        "100.64.0.1",
        "100.127.255.255",
        "0.0.0.0",
        "0.1.2.3",
        "224.0.0.1",
        "239.255.255.250",
        "240.0.0.1",
        "255.255.255.255",
        "198.18.0.1",
        "192.0.0.8",
      ],
      true,
    );
  });

  test("public IPv4 addresses, including the neighbours of private ranges, are not private", () => {
    check(
      [
        "8.8.8.8",
        "1.1.1.1",
        "93.184.215.14",
        "172.15.255.255",
        "172.32.0.0",
        "100.63.255.255",
        "100.128.0.0",
        "11.0.0.1",
        "9.255.255.255",
        "126.255.255.255",
        "128.0.0.1",
        "169.253.255.255",
        "192.167.255.255",
        "192.169.0.0",
        "223.255.255.255",
      ],
      false,
    );
  });

  test("IPv6 loopback, unspecified, unique-local, link-local and multicast", () => {
    check(
      [
        "::1",
        "0:0:0:0:0:0:0:1",
        "::",
        "fc00::1",
        "fd12:3456::1",
        "fe80::1",
        "FE80::abcd",
        "febf::1",
        "ff02::1",
      ],
      true,
    );
  });

  test("public IPv6 addresses are not private", () => {
    check(["2606:4700:4700::1111", "2001:4860:4860::8888", "2a00:1450:4001::200e", "2400:cb00::1"], false);
  });

  test("IPv4-mapped IPv6 addresses are judged by their IPv4 address, in dotted and hex form", () => {
    check(
      [
        "::ffff:127.0.0.1",
        "::FFFF:10.1.2.3",
        "::ffff:169.254.169.254",
        "::ffff:7f00:1",
        "::ffff:a00:1",
        "::ffff:c0a8:101",
      ],
      true,
    );
    check(["::ffff:8.8.8.8", "::ffff:808:808", "::ffff:1.1.1.1"], false);
  });

  test("IPv6 forms that embed an IPv4 address are refused whatever they embed: compatible, SIIT, NAT64", () => {
    check(
      [
        "::127.0.0.1",
        "::7f00:1",
        "::8.8.8.8",
        "::ffff:0:7f00:1",
        "::ffff:0:808:808",
        "64:ff9b::7f00:1",
        "64:ff9b:1::7f00:1",
        "64:ff9b:1:ffff::1",
        "2002:7f00:1::1",
        "100::1",
        "2001:db8::1",
      ],
      true,
    );
  });

  test("anything that is not an IP address is treated as private", () => {
    check(["localhost", "", "example.com", "999.1.1.1", "1.2.3"], true);
  });
});

describe("resolvePublicTarget", () => {
  test("IP literals resolve to themselves; private ones are refused unless allowed", async () => {
    assert.deepEqual(await resolvePublicTarget(new URL("http://8.8.8.8/"), false), {
      address: "8.8.8.8",
      family: 4,
    });
    assert.deepEqual(await resolvePublicTarget(new URL("http://[2606:4700:4700::1111]/"), false), {
      address: "2606:4700:4700::1111",
      family: 6,
    });
    for (const url of [
      "http://127.0.0.1:9/",
      "http://[::1]/",
      "http://[::ffff:127.0.0.1]/",
      "http://[::127.0.0.1]/",
      "http://[::ffff:0:7f00:1]/",
      "http://[64:ff9b:1::7f00:1]/",
      "http://2130706433/",
      "http://0x7f.1/",
    ]) {
      await assert.rejects(resolvePublicTarget(new URL(url), false), AddressRefused, url);
    }
    assert.deepEqual(await resolvePublicTarget(new URL("http://[::1]:8080/"), true), {
      address: "::1",
      family: 6,
    });
  });

  test("a host name that resolves to loopback is refused, and the refusal names the address", async () => {
    await assert.rejects(resolvePublicTarget(new URL("http://localhost:3000/"), false), (error: Error) => {
      assert.ok(error instanceof AddressRefused);
      assert.match(error.message, /localhost resolves to (127\.0\.0\.1|::1), a private or loopback address/);
      return true;
    });
  });
});
