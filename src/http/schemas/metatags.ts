import { z } from "zod";

export const metatagsQuery = z.object({
  url: z.string().min(1).max(32_000).describe("The page; without a scheme it means https://"),
});

export const metatagsSchema = z
  .object({
    title: z.string().nullable(),
    description: z.string().nullable(),
    image: z.string().nullable(),
  })
  .meta({ id: "Metatags" });
