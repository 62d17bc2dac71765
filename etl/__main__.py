"""`python -m etl`: build the warehouse."""

import sys

from etl.cli import main

sys.exit(main())
