"""The benchmark: `make bench` (see bench/run.py). Not part of the test suite."""
