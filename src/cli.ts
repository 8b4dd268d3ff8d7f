#!/usr/bin/env node
// The `clicktrail` command (package.json "bin"): each command lives in src/cli/.
import { run } from "./cli/index.js";

run(process.argv.slice(2));
