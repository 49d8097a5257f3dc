"""What the tests and the benchmarks in scripts/ share and that is not a test itself: a
real broker and kiosk processes (broker, fleet), a private sound server, synthetic speech,
and a screen kiosk in a browser. The benchmarks import it as `tests.support.*`, run from
the repository root with `python -m scripts.NAME`."""
