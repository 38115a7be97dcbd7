"""Reading posted forms without python-multipart: URL-encoded bodies, and multipart for uploads.

FastAPI's ``Form()`` needs python-multipart, which ordertrack does not depend on. The
dashboard's forms are small, so they are parsed here with the standard library.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import parse_qs

from ordertrack.kit.errors import OrdertrackError

MAX_FORM_BYTES = 1_000_000
MAX_FIELDS = 500


class BadForm(OrdertrackError):
    status_code = 400
    code = "bad_form"


class UnsupportedForm(OrdertrackError):
    status_code = 415
    code = "unsupported_media_type"


@dataclass(frozen=True)
class Upload:
    filename: str
    content_type: str
    data: bytes


@dataclass
class Form:
    """Posted fields by name (several values allowed) and uploaded files."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, Upload] = field(default_factory=dict)

    def get(self, name: str, default: str = "") -> str:
        values = self.fields.get(name)
        return values[0] if values else default

    def text(self, name: str, max_length: int = 500) -> str:
        """A stripped single-line value; too long or with control characters is a 400."""
        value = self.get(name).strip()
        if len(value) > max_length:
            raise BadForm(f"{name.replace('_', ' ')} is longer than {max_length} characters")
        if any(ord(ch) < 32 or 0xD800 <= ord(ch) <= 0xDFFF for ch in value):
            raise BadForm(f"{name.replace('_', ' ')} contains characters that are not allowed")
        return value


def parse_form(content_type: str, body: bytes) -> Form:
    if not body:
        return Form()  # an empty POST (a bare button) has no fields, and so no CSRF token
    media_type = content_type.split(";")[0].strip().lower()
    if media_type == "application/x-www-form-urlencoded":
        if len(body) > MAX_FORM_BYTES:
            raise BadForm("the form is too large")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise BadForm("the form is not UTF-8") from None
        try:
            fields = parse_qs(text, keep_blank_values=True, max_num_fields=MAX_FIELDS, errors="strict")
        except (ValueError, UnicodeDecodeError):
            raise BadForm("the form could not be read") from None
        return Form(fields=fields)
    if media_type == "multipart/form-data":
        return _parse_multipart(content_type, body)
    raise UnsupportedForm("send the form as application/x-www-form-urlencoded or multipart/form-data")


def _parse_multipart(content_type: str, body: bytes) -> Form:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1", "replace")
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise BadForm("the multipart form could not be read")
    form = Form()
    parts = list(message.iter_parts()) if hasattr(message, "iter_parts") else message.get_payload()
    if len(parts) > MAX_FIELDS:
        raise BadForm("the form has too many fields")
    for part in parts:
        if not isinstance(part, Message):
            raise BadForm("the multipart form could not be read")
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            if data:
                form.files[name] = Upload(filename, part.get_content_type(), data)
            continue
        try:
            form.fields.setdefault(name, []).append(data.decode("utf-8"))
        except UnicodeDecodeError:
            raise BadForm("the form is not UTF-8") from None
    return form
