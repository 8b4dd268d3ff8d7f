import { runServe } from "../main.js";
import type { Command } from "./shared.js";

export const serve: Command = {
  name: "serve",
  usage: "serve                                   start the server (same as npm start)",
  options: {},
  run: () => runServe(),
};
