import type { FastifyReply, FastifyRequest } from "fastify";

/** Dub's CORS answer on the endpoints a web page calls: any origin, POST, and a publishable key in Authorization. */
export async function browserCors(_request: FastifyRequest, reply: FastifyReply) {
  reply.header("Access-Control-Allow-Origin", "*");
  reply.header("Access-Control-Allow-Methods", "POST, OPTIONS");
  reply.header("Access-Control-Allow-Headers", "Content-Type, Authorization");
  reply.header("Access-Control-Max-Age", "86400");
}
