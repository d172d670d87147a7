// Bundle the GitHub Action (and the CLI it runs) with esbuild into dist/, which is committed
// because a runner executes an action straight from its repository, without `npm ci`:
//
//   dist/index.js          the Action            (src/action/main.ts; action.yml's `main`)
//   dist/cli.js            the dettrace CLI      (src/cli.ts), for a checkout without lib/
//   dist/verify/index.js   the verify engine the CLI imports at run time (src/main.ts loads
//                          ./verify/index.js next to itself)
//
// ESM (the @actions/* packages are ESM-only), platform node, target node20 (runners run it on
// node24; this repository's tests on node20 and node24). A banner gives the CommonJS modules
// inside the bundle the `require` they call (the modules bundled here that need `__dirname`
// define it themselves, and a banner that declared it would clash with them). The native addon
// and the tracer executable are not bundled: src/native.ts finds them from the package root
// (build/Release, else prebuilds/linux-x64/), which it finds from import.meta.url — dist/ is
// one level below it — and so are root/ (the container skeleton), bin/ and image/.
//
//   node scripts/bundle.js                 write dist/
//   node scripts/bundle.js --outdir DIR    write elsewhere (the staleness test compares)
/* global process, console */
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as esbuild from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function parseArgs(argv) {
  let outdir = join(root, 'dist');
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--outdir' && argv[i + 1]) outdir = resolve(argv[++i]);
    else throw new Error(`bundle.js: unknown argument ${argv[i]} (usage: node scripts/bundle.js [--outdir DIR])`);
  }
  return { outdir };
}

const BANNER = [
  '// Built by scripts/bundle.js (esbuild) from src/ — do not edit; run `npm run bundle`.',
  "import { createRequire as __detCreateRequire } from 'node:module';",
  'const require = __detCreateRequire(import.meta.url);',
].join('\n');

// src/image.ts runs its own command line when it is the main module, testing
// `import.meta.url === <URL of process.argv[1]>`. Bundled, import.meta.url is the bundle's, so
// `node dist/index.js` (and `node dist/cli.js run ...`) would also run it. The check is made
// false in the bundle; when image.ts no longer has it, this does nothing.
const SELF_RUN = /if \(process\.argv\[1\] !== undefined && import\.meta\.url === pathToFileURL\(resolve\(process\.argv\[1\]\)\)\.href\)/;
const noSelfRun = {
  name: 'no-self-run',
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/]image\.ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      const fixed = text.replace(SELF_RUN, 'if (false)');
      if (fixed === text && /import\.meta\.url === pathToFileURL\(/.test(text)) {
        throw new Error('src/image.ts: its main-module check changed; update scripts/bundle.js (no-self-run) so that the bundle does not run image.ts as a command');
      }
      return { contents: fixed, loader: 'ts' };
    });
  },
};

export async function bundle(outdir) {
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: {
      index: 'src/action/main.ts',
      cli: 'src/cli.ts',
      'verify/index': 'src/verify/index.ts',
    },
    outdir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    charset: 'utf8',
    legalComments: 'eof',
    banner: { js: BANNER },
    plugins: [noSelfRun],
    logLevel: 'warning',
    metafile: true,
  });
  return Object.keys(result.metafile.outputs);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { outdir } = parseArgs(process.argv.slice(2));
  const files = await bundle(outdir);
  for (const f of files) console.log(`bundle: ${f}`);
}
