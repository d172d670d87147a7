#!/usr/bin/env node
// The CLI compiled by tsc (lib/, after npm ci) or, in a checkout of the Action that has no
// lib/, the bundled CLI committed in dist/.
import { existsSync } from 'node:fs';

const lib = new URL('../lib/src/cli.js', import.meta.url);
await import(existsSync(lib) ? lib.href : new URL('../dist/cli.js', import.meta.url).href);
