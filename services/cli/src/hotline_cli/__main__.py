import sys

from hotline_cli.main import main

sys.exit(main())
