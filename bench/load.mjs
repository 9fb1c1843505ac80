// Drives load at one URL with autocannon, in its own process so the load generator shares
// no event loop with what it measures. Prints autocannon's JSON result.
//   node bench/load.mjs <url> <seconds> <connections> [header: value]...
import autocannon from "autocannon";

const [url, seconds, connections, ...headerArgs] = process.argv.slice(2);
const headers = Object.fromEntries(headerArgs.map((h) => [h.slice(0, h.indexOf(":")), h.slice(h.indexOf(":") + 1).trim()]));
const result = await autocannon({ url, duration: Number(seconds), connections: Number(connections), headers });
process.stdout.write(JSON.stringify(result));
