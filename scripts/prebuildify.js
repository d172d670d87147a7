// Builds the shipped binaries into prebuilds/linux-x64/: the N-API addon (prebuildify,
// N-API, stripped) and the tracer executable, which prebuildify does not copy by itself.
// node-gyp-build and src/native.ts look there when build/Release/ is absent.
import { execFileSync } from 'node:child_process';
import { copyFileSync, chmodSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });

run('npx', ['prebuildify', '--napi', '--strip', '--target', `node@${process.versions.node}`]);
const out = join(root, 'prebuilds', 'linux-x64');
mkdirSync(out, { recursive: true });
const tracer = join(out, 'dettrace-tracer');
copyFileSync(join(root, 'build', 'Release', 'dettrace-tracer'), tracer);
run('strip', [tracer]);
chmodSync(tracer, 0o755);
console.log(`prebuilds: ${out}`);
