"""Entry point of the packaged build: the same as `privacy-console` / `python -m console`."""

from console.cli import main

raise SystemExit(main())
