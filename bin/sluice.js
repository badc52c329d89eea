#!/usr/bin/env node
// The `sluice` command. The CLI itself lives in dist/ (built from src/ by `npm run build`,
// which `npm install` runs through the `prepare` script).
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
