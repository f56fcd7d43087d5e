// Runs the CLI from TypeScript sources, for tests that spawn it as a user would (the built
// bin/netwright.js does the same from dist/):  node --import tsx engine/host/testing/runCli.ts …
import { main } from '../cli.js';

process.exitCode = await main(process.argv.slice(2));
