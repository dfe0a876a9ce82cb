"""`python -m console` is the same as `privacy-console`."""

from console.cli import main

raise SystemExit(main())
