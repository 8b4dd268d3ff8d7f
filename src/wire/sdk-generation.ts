/**
 * Which SDK generation sent a request, from the `User-Agent` it announces itself with. `seed` is the Go SDK
 * dub-go v0.9.x (`speakeasy-sdk/go 0.9.7 2.428.1 0.0.1 github.com/dubinc/dub-go`), whose closed enums predate
 * some of today's values; every other client is answered in today's shape.
 */
export type SdkGeneration = "seed" | "current";

export const sdkGenerationOf = (userAgent: string | undefined): SdkGeneration =>
  /^speakeasy-sdk\/go 0\.9\.\d+ /.test(userAgent ?? "") ? "seed" : "current";
