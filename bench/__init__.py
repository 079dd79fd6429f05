"""`make bench`: a load benchmark of the route advisor beside the `rasa init` bot (see docs/benchmarks.md)."""
