import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import QRCode from "qrcode";
import { z } from "zod";
import { isAllowedDestination } from "../../domain/links/rules.js";
import { fileResponse } from "../schemas/files.js";

const query = z.object({
  url: z
    .string()
    .max(2000)
    .refine(isAllowedDestination, { error: "must be an absolute http:// or https:// URL" }),
  size: z.coerce.number().int().min(64).max(2048).default(600),
  margin: z.coerce.number().int().min(0).max(16).default(2),
});

/** The image behind a Link's `qrCode`: a PNG of the short link (with `?qr=1`, so scans are told apart). */
export const qrRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    "/qr",
    {
      schema: {
        operationId: "getQRCode",
        tags: ["QR codes"],
        security: [],
        querystring: query,
        response: { 200: fileResponse("image/png", "The QR code") },
      },
    },
    async (request, reply) => {
      const png = await QRCode.toBuffer(request.query.url, {
        type: "png",
        width: request.query.size,
        margin: request.query.margin,
        errorCorrectionLevel: "M",
      });
      return reply.type("image/png").header("cache-control", "public, max-age=86400").send(png);
    },
  );
};
