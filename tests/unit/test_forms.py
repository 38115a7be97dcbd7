"""Posted forms are read one way (Starlette's request.form()), within each form's limits."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient

from ordertrack.kit.errors import OrdertrackError
from ordertrack.web.forms import read_form

app = FastAPI()


@app.exception_handler(OrdertrackError)
async def _refused(_request: Request, error: OrdertrackError) -> JSONResponse:
    return JSONResponse({"code": error.code, "message": error.message}, status_code=error.status_code)


@app.post("/form")
async def _echo(request: Request) -> dict[str, Any]:
    form = await read_form(request, max_fields=5, max_files=1, max_field_bytes=100)
    return {
        "fields": form.fields,
        "files": {
            name: [f.filename, f.content_type, f.data.decode("latin-1")] for name, f in form.files.items()
        },
    }


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(app)


def test_url_encoded_fields_keep_every_value_and_blank_ones(client: TestClient) -> None:
    answer = client.post(
        "/form",
        content=b"a=1&b=%3Cx%3E&b=2&empty=",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert answer.json()["fields"] == {"a": ["1"], "b": ["<x>", "2"], "empty": [""]}


def test_a_multipart_upload_keeps_its_bytes_name_and_type_beside_the_fields(client: TestClient) -> None:
    png = b"\x89PNG\r\n\x00\x01"
    answer = client.post(
        "/form", data={"display_name": "Northwind"}, files={"logo": ("l.png", png, "image/png")}
    )
    assert answer.json() == {
        "fields": {"display_name": ["Northwind"]},
        "files": {"logo": ["l.png", "image/png", png.decode("latin-1")]},
    }


def test_a_file_input_left_empty_is_no_upload(client: TestClient) -> None:
    # What a browser sends for a file input with no file chosen: a part with an empty filename.
    body = (
        b'--XyZ\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n'
        b'--XyZ\r\nContent-Disposition: form-data; name="logo"; filename=""\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n\r\n--XyZ--\r\n"
    )
    answer = client.post("/form", content=body, headers={"content-type": "multipart/form-data; boundary=XyZ"})
    assert answer.json() == {"fields": {"a": ["1"]}, "files": {}}


def test_an_empty_post_is_an_empty_form_whatever_its_type(client: TestClient) -> None:
    assert client.post("/form").json() == {"fields": {}, "files": {}}


@pytest.mark.parametrize(
    ("body", "headers", "status", "message"),
    [
        (b"a=%ff", {"content-type": "application/x-www-form-urlencoded"}, 400, "the form is not UTF-8"),
        (
            b"{}",
            {"content-type": "application/json"},
            415,
            "send the form as application/x-www-form-urlencoded",
        ),
        (
            b"a=1&b=2&c=3&d=4&e=5&f=6",
            {"content-type": "application/x-www-form-urlencoded"},
            400,
            "too many fields",
        ),
        (
            b"a=" + b"x" * 101,
            {"content-type": "application/x-www-form-urlencoded"},
            400,
            "the form is too large",
        ),
        (b"--nope", {"content-type": "multipart/form-data"}, 400, "the form could not be read"),
    ],
)
def test_an_unreadable_or_oversized_form_is_a_client_error_with_its_reason(
    client: TestClient, body: bytes, headers: dict[str, str], status: int, message: str
) -> None:
    answer = client.post("/form", content=body, headers=headers)
    assert answer.status_code == status
    assert message in answer.json()["message"]


def test_more_files_than_the_form_takes_is_a_client_error(client: TestClient) -> None:
    answer = client.post(
        "/form", files=[("a", ("a.csv", b"1", "text/csv")), ("b", ("b.csv", b"2", "text/csv"))]
    )
    assert answer.status_code == 400 and answer.json()["message"] == "the form has too many fields"
