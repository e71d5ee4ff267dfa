import sys

from batchcancel.cli import main

sys.exit(main())
