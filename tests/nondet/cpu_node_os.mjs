// what Node's os module reports about the machine
import os from 'node:os';
const cpus = os.cpus();
console.log('cpus', cpus.length, 'availableParallelism', os.availableParallelism());
console.log('cpu0', cpus[0].model, cpus[0].speed);
console.log('cpu0 times', JSON.stringify(cpus[0].times));
console.log('totalmem', os.totalmem(), 'freemem', os.freemem());
console.log('uptime', os.uptime());
console.log('loadavg', os.loadavg().join(' '));
