"""``python -m hotline_capacity staffing ...``: the same as ``hotline staffing ...``."""

import sys

from hotline_capacity.cli import main

sys.exit(main())
