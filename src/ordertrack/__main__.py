"""``python -m ordertrack``: the same as the ``ordertrack`` command."""

from ordertrack.cli.main import app

app(prog_name="ordertrack")
