// Preloaded into a CLI child by test/helpers/hostile.ts (node --import): at exit, whatever ends the process
// (return, process.exit, an uncaught error), writes its peak resident set size in KiB (getrusage maxRSS) to the
// file named by LSTM_PEAK_RSS_FILE.
import { writeFileSync } from 'node:fs';

const file = process.env.LSTM_PEAK_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
