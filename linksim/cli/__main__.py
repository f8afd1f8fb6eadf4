"""``python -m linksim.cli``: the ``linksim`` command."""

import sys

from linksim.cli import main

sys.exit(main())
