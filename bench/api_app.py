"""The app as gunicorn serves it, plus a trivial JSON endpoint that verifies the token (the benchmark's baseline)."""

from __future__ import annotations

from flask import Blueprint

from webapp import create_app
from webapp.api.auth import authenticate_request

baseline = Blueprint("bench", __name__)


@baseline.get("/bench/ping")
def ping():
    principal = authenticate_request()  # same verification as every /api/v1 endpoint
    return {"organization_id": principal.organization_id}


app = create_app()
app.register_blueprint(baseline)
