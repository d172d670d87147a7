// Node's randomness: Math.random, crypto.randomBytes/randomUUID/getRandomValues, randomInt
import crypto from 'node:crypto';
console.log('Math.random', Math.random(), Math.random());
console.log('randomBytes', crypto.randomBytes(8).toString('hex'));
console.log('randomUUID', crypto.randomUUID());
console.log('getRandomValues', crypto.getRandomValues(new Uint32Array(2)).join(' '));
console.log('randomInt', crypto.randomInt(1000000));
