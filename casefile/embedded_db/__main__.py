import sys

from casefile.embedded_db import main

sys.exit(main(sys.argv))
