// Node's fs.Dir (opendir) iteration, which does not sort
import fs from 'node:fs';
for (const path of ['tree', 'tree/nested']) {
  const d = fs.opendirSync(path);
  const names = [];
  let e;
  while ((e = d.readSync()) !== null) names.push(`${e.name}:${e.isDirectory() ? 'd' : 'f'}`);
  d.closeSync();
  console.log(path, names.join(' '));
}
