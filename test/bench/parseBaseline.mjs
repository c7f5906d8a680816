// The §5 baseline: bare csv-parse streaming a file into objects (`columns: true`) and counting them.
// Run as a child process, like the CLI, so both pay the same Node start-up and their peak RSS compares.
// `relax_column_count` only keeps the generated ragged rows (about 0.4%) from stopping the parse.
import fs from 'node:fs';
import { parse } from 'csv-parse';

const file = process.argv[2];
if (!file) {
  console.error('usage: node parseBaseline.mjs FILE.csv');
  process.exit(2);
}
let count = 0;
for await (const record of fs.createReadStream(file).pipe(parse({ columns: true, relax_column_count: true }))) {
  if (record) count++;
}
console.log(count);
