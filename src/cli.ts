#!/usr/bin/env -S node --max-semi-space-size=4
// The `clicktrail` command (package.json "bin"): each command lives in src/cli/.
// V8's young generation is sized only at start: 4 MB semi-spaces instead of 16 keep a serving process ~20-30 MB
// smaller at no measured cost in speed (docs/operations.md, "Memory").
import { run } from "./cli/index.js";

run(process.argv.slice(2));
