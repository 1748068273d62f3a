"""The example's own test, run in every Python's venv by `reqlock run --all-pythons`."""

from webapp import app


def test_health() -> None:
    assert app.test_client().get("/health").get_json() == {"status": "ok"}
