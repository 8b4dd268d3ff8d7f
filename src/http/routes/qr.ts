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
  format: z.enum(["png", "svg"]).default("png").describe("Clicktrail's own: svg gives a vector image"),
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
        response: {
          200: {
            description: "The QR code: a PNG, or an SVG with format=svg",
            content: {
              ...fileResponse("image/png", "").content,
              ...fileResponse("image/svg+xml", "").content,
            },
          },
        },
      },
    },
    async (request, reply) => {
      const { url, size, margin, level, fgColor, bgColor, format } = request.query;
      const options = {
        width: size,
        margin,
        errorCorrectionLevel: level,
        color: { dark: fgColor, light: bgColor },
      };
      reply.header("cache-control", "public, max-age=86400");
      if (format === "svg")
        return reply
          .type("image/svg+xml")
          .send(Buffer.from(await QRCode.toString(url, { ...options, type: "svg" })));
      return reply.type("image/png").send(await QRCode.toBuffer(url, { ...options, type: "png" }));
    },
  );
};
