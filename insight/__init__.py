"""The benchmarking app: benchmark runs and results, dashboards, Find Partners, methodology.

The project's configuration lives apart in ``insight.config``; the demo data generator in ``insight.demo``.
"""
