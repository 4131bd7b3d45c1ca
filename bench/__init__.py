"""Benchmarks run by hand or by `make bench`, never by `make test`: public data, timings."""
