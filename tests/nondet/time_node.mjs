// Node's clocks: Date.now, performance.now/timeOrigin, process.hrtime, process.uptime
const { performance } = await import('node:perf_hooks');
console.log('Date.now', Date.now());
console.log('ISO', new Date().toISOString());
console.log('toString', new Date().toString());
console.log('performance.timeOrigin', performance.timeOrigin);
console.log('performance.now', performance.now());
console.log('hrtime.bigint', process.hrtime.bigint().toString());
console.log('hrtime', process.hrtime().join(' '));
console.log('uptime', process.uptime());
const t0 = performance.now();
await new Promise((r) => setTimeout(r, 30));
console.log('setTimeout 30 took', performance.now() - t0);
