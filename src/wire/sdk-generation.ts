/**
 * Which body a client decodes where no single body satisfies every SDK (ADR 16): `seed` is the 2024 Go SDK,
 * whose event decoding rejects every key it does not know; `current` is everything else.
 */
export type SdkGeneration = "seed" | "current";
