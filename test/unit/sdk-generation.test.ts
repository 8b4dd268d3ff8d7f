import assert from "node:assert/strict";
import { test } from "node:test";
import { sdkGenerationOf } from "../../src/http/sdk-generation.js";

test("dub-go up to 0.13.x is the seed generation; every other client is current", () => {
  const cases: [string | undefined, "seed" | "current"][] = [
    ["speakeasy-sdk/go 0.9.7 2.428.1 0.0.1 github.com/dubinc/dub-go", "seed"],
    ["speakeasy-sdk/go 0.9.4 2.422.6 0.0.1 github.com/dubinc/dub-go", "seed"],
    ["speakeasy-sdk/go 0.11.0 2.457.2 0.0.1 github.com/dubinc/dub-go", "seed"],
    ["speakeasy-sdk/go 0.13.5 2.493.4 0.0.1 github.com/dubinc/dub-go", "seed"],
    ["speakeasy-sdk/go 0.14.0 2.500.0 0.0.1 github.com/dubinc/dub-go", "current"],
    ["speakeasy-sdk/go 0.23.11 2.915.0 0.0.1 github.com/dubinc/dub-go", "current"],
    ["speakeasy-sdk/go 1.2.0 2.915.0 0.0.1 github.com/dubinc/dub-go", "current"],
    ["speakeasy-sdk/typescript 0.73.5 2.700.0 0.0.1 dub", "current"],
    ["speakeasy-sdk/go 0.9.7 2.428.1 0.0.1 github.com/someone/else-go", "current"],
    ["Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0", "current"],
    ["", "current"],
    [undefined, "current"],
  ];
  for (const [userAgent, generation] of cases)
    assert.equal(sdkGenerationOf(userAgent), generation, userAgent);
});
