import type { Command } from "./shared.js";

export const serve: Command = {
  name: "serve",
  usage: "serve                                   start the server (same as npm start)",
  options: {},
  // The server's modules are loaded by this command only: every other command starts without them.
  run: async () => (await import("../main.js")).runServe(),
};
