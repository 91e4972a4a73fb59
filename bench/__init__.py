"""The benchmark: `make bench` (see bench/run.py). Not part of the test suite.

It starts gunicorn with the serving tests' launcher, tests/servers.py, so both run the app the
same way. `tests` is no package (and another distribution may install one of that name), so the
folder itself goes on the path.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
