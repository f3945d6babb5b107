// Copies bench/NOTES.md into the Analysis of bench/RESULTS.md after a note is written by hand
// (test/docs.test.ts fails while they differ). The benchmarks' --write does this too.
import { syncAnalysis } from './common.mjs';

syncAnalysis();
