"""Resource efficiency and cleaner production: indicators, sector benchmarks, options, business cases and the
cleaner-production assessment. Every function takes plain data; `eipkit.api` feeds them from the store."""
