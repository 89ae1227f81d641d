"""`python -m reference_server` runs the CLI."""

import sys

from reference_server.cli import main

sys.exit(main())
