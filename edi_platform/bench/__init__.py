"""`edi bench` / `make bench`: how long the platform takes, and how much memory, at ICS and
national scale, against two baselines measured on the same files (docs/performance.md)."""
