import sys

from clarion.cli import main

sys.exit(main())
