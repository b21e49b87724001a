# bench/: benchmarks printing ratios against a baseline of the same run.
