import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import QRCode from "qrcode";
import { z } from "zod";
import { isAllowedDestination } from "../../domain/links/rules.js";
import { fileResponse } from "../schemas/files.js";

const hexColor = z
  .string()
  .regex(/^#?([0-9a-f]{3}|[0-9a-f]{6})$/i, { error: "must be a hex colour such as #000000" })
  .transform((color) => (color.startsWith("#") ? color : `#${color}`));

/** Dub's `logo`, `hideLogo` and `includeMargin` are accepted and ignored: no logo is drawn, the margin is `margin`. */
const query = z.object({
  url: z
    .string()
    .max(2000)
    .refine(isAllowedDestination, { error: "must be an absolute http:// or https:// URL" }),
  size: z.coerce.number().int().min(64).max(2048).default(600),
  margin: z.coerce.number().int().min(0).max(16).default(2),
  level: z.enum(["L", "M", "Q", "H"]).default("L").describe("Error correction level"),
  fgColor: hexColor.default("#000000"),
  bgColor: hexColor.default("#FFFFFF"),
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
        errorCorrectionLevel: request.query.level,
        color: { dark: request.query.fgColor, light: request.query.bgColor },
      });
      return reply.type("image/png").header("cache-control", "public, max-age=86400").send(png);
    },
  );
};
