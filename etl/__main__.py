"""`python -m etl`: build the warehouse (or run one of its commands)."""

import sys

if sys.argv[1:2] == ["corrections"]:
    # the corrections commands need none of the extraction code the build imports
    from etl.corrections.cli import main as corrections_main

    sys.exit(corrections_main(sys.argv[1:]))

from etl.cli import main  # noqa: E402

sys.exit(main())
