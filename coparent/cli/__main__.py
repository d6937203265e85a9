"""`python -m coparent.cli`: how `coparent serve` starts its task worker."""

import sys

from coparent.cli import main

sys.exit(main())
