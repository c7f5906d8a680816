const mods = process.argv.slice(2);
const t0 = performance.now();
let last = t0;
for (const m of mods) {
  await import(m.startsWith('dist/') ? `/work/wt/speed/${m}` : m);
  const now = performance.now();
  console.log(m.padEnd(40), (now - last).toFixed(0), 'ms');
  last = now;
}
console.log('total', (last - t0).toFixed(0));
