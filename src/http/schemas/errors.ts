import { z } from "zod";
import type { ErrorCode } from "../../domain/errors.js";
import { STATUS } from "../errors.js";

export const errorSchema = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(STATUS) as [ErrorCode, ...ErrorCode[]]),
      message: z.string(),
      doc_url: z.string(),
    }),
  })
  .meta({
    id: "Error",
    description:
      "Dub's error envelope; `code` is the one its HTTP status implies (a 503 carries internal_server_error)",
  });
