#!/bin/sh
//usr/bin/env true; exec node --max-semi-space-size=4 "$0" "$@"
// The `clicktrail` command (package.json "bin"): each command lives in src/cli/. The line above is a comment to
// JavaScript and, to the shell of the line before it, a command that starts Node with a young generation held to
// 4 MB semi-spaces (ADR 34; `env -S` would say it shorter, but BusyBox's `env` has no `-S`).
import { run } from "./cli/index.js";

run(process.argv.slice(2));
