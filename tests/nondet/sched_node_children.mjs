// six child processes doing the same work, started at once; the order their exits are noticed
import { spawn } from 'node:child_process';
const done = [];
await Promise.all(
  [0, 1, 2, 3, 4, 5].map(
    (i) =>
      new Promise((resolve) => {
        const c = spawn('sh', ['-c', `i=0; while [ $i -lt 5000 ]; do i=$((i+1)); done; echo child ${i}`], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        c.stdout.on('data', (b) => (out += b));
        c.on('close', (code) => {
          done.push(i);
          console.log(`exit ${i} code ${code} said ${out.trim()}`);
          resolve();
        });
      }),
  ),
);
console.log('order', done.join(''));
