"""Benchmarks, runnable as scripts; a package so that one test can import the AWS call counter."""
