"""``python -m hotline_report [options]``: the same as ``hotline load-report [options]``."""

import sys

from hotline_report.cli import main

sys.exit(main())
