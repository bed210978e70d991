// An independent WebSocket load generator for cross-checking benchload: Node.js with the `ws`
// package (npm), nothing shared with the project's C++ tools. N sessions each keep one 32-byte
// text message in flight (send, wait for the echo, send again) for S seconds; prints JSON with
// round trips per second.
//   node wspingpong.mjs PORT [sessions=50] [seconds=3] [size=32]
import WebSocket from 'ws';

const [port, sessions = '50', seconds = '3', size = '32'] = process.argv.slice(2);
const payload = 'x'.repeat(Number(size));
let done = 0;
let running = true;
let open = 0;
const sockets = [];
await new Promise((resolve, reject) => {
    for (let i = 0; i < Number(sessions); ++i) {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false });
        ws.on('open', () => { if (++open === Number(sessions)) resolve(); });
        ws.on('error', reject);
        ws.on('message', () => {
            ++done;
            if (running) ws.send(payload);
        });
        sockets.push(ws);
    }
});
const start = process.hrtime.bigint();
done = 0;
for (const ws of sockets) ws.send(payload);
await new Promise((r) => setTimeout(r, Number(seconds) * 1000));
running = false;
const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
console.log(JSON.stringify({ sessions: Number(sessions), seconds: elapsed, roundTrips: done,
                             perSecond: Math.round(done / elapsed) }));
for (const ws of sockets) ws.terminate();
process.exit(0);
