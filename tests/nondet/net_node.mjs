// a Node TCP server on port 0 and a client's local port
import net from 'node:net';
const server = net.createServer((sock) => sock.end('hi\n'));
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const port = server.address().port;
console.log('server port', port);
const sock = net.connect(port, '127.0.0.1');
await new Promise((r) => sock.on('connect', r));
console.log('client local port', sock.localPort);
let got = '';
sock.on('data', (b) => (got += b));
await new Promise((r) => sock.on('end', r));
console.log('client got', got.trim());
server.close();
