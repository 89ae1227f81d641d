"""`python -m conformance` is `omni-conformance`."""

import sys

from conformance.cli import main

sys.exit(main())
