"""Benchmarks and tools. Run them from the repository root as `python -m scripts.NAME`:
then this checkout's `kiosk` and the helpers they share with the tests (`tests.support`)
import as they are, with no change to sys.path."""
