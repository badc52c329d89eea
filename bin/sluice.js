#!/usr/bin/env node
// The `sluice` command. The CLI itself lives in dist/ (built from src/ by `npm run build`,
// which `npm install` runs through the `prepare` script).
import { main } from '../dist/cli/main.js';

// The AWS SDK (S3 object store) warns on Node 20 about its future releases; Sluice supports Node 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

process.exitCode = await main(process.argv.slice(2));
