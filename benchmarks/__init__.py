"""Benchmarks: throughput, latency and memory figures for the pipeline (`python -m benchmarks`).

They print figures and never assert timings; see README.md for what each figure means.
"""
