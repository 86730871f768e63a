"""Run the demo server: `python -m web` (what `make run` runs)."""

from web.demo import main

main()
