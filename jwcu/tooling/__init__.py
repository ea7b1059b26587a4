"""Tooling around the registry, not part of it: the demo union of the seed (demo/), synthetic
unions of any size (synthetic), the benchmarks (bench, bench_api) and the load script (load).
Like the project's URLs and commands, it stands above the apps and may use any of them."""
