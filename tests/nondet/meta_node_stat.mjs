// fs.statSync with bigint times for each input and a file made here
import fs from 'node:fs';
fs.writeFileSync('made.txt', 'made\n');
for (const n of [...fs.readdirSync('tree').sort().map((n) => `tree/${n}`), 'made.txt']) {
  const s = fs.statSync(n, { bigint: true });
  console.log(n, 'dev', s.dev, 'ino', s.ino, 'nlink', s.nlink, 'blocks', s.blocks, 'mtimeNs', s.mtimeNs, 'ctimeNs', s.ctimeNs, 'birthtimeNs', s.birthtimeNs);
}
