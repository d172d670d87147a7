// a Node script using Math.random() and os.cpus()
import os from 'node:os';
console.log(Math.random(), os.cpus().length, os.cpus()[0].model);
