"""The baseline: a bare hello-world Flask route, served by the same gunicorn config as the quiz.

    gunicorn -c gunicorn.conf.py 'bench.hello:create_app()'

Every figure of the benchmark is a ratio to this app's requests per second in the same run.
"""

from flask import Flask


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/")
    def hello():
        return "Hello, world!"

    return app
