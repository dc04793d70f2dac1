// Preloaded with `node --require bench/rss-probe.js <script>`: on exit, writes the process's peak
// RSS (KiB) to $BENCH_RSS_OUT, so the bench can measure a command it does not otherwise touch.
'use strict';
process.on('exit', () => {
  if (process.env.BENCH_RSS_OUT) require('fs').writeFileSync(process.env.BENCH_RSS_OUT, String(process.resourceUsage().maxRSS));
});
