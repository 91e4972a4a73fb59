"""Where the app's own files are: templates/, static/ and questions.yaml.

In a checkout they sit beside the quiz/ package, the layout editors and designers work in. A built
wheel carries them inside the package (pyproject.toml), so an installed app runs from any directory.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
# The wheel's copy when there is one: an installed app must not read what happens to lie beside
# site-packages.
HOME = PACKAGE if (PACKAGE / "questions.yaml").is_file() else PACKAGE.parent
TEMPLATES = HOME / "templates"
STATIC = HOME / "static"
QUESTIONS = HOME / "questions.yaml"
