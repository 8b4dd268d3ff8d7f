import type { Readable } from "node:stream";
import { z } from "zod";

/** A response that is a file, not JSON: a stream or a buffer the handler sends as is, documented as binary. */
export const fileResponse = (mediaType: string, description: string) => ({
  description,
  content: {
    [mediaType]: { schema: z.custom<Readable | Buffer>().meta({ type: "string", format: "binary" }) },
  },
});
