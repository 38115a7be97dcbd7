"""Reading a posted form, the one way every page does: Starlette's ``request.form()``.

Starlette parses URL-encoded bodies and multipart uploads with python-multipart, within the
limits each form passes (fields, files, bytes per field); the app's body-size limit bounds the
whole request. What comes back is a :class:`Form` of text fields and uploaded files, and what
cannot be read is a 400 (:class:`BadForm`) or, for another media type, a 415
(:class:`UnsupportedForm`), never a 500.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request

from ordertrack.kit.errors import OrdertrackError

# The dashboard's forms: a line per parcel and item at most, and one upload (the logo).
MAX_FIELDS = 500
MAX_FILES = 1
MAX_FIELD_BYTES = 1_000_000
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


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


async def read_form(
    request: Request,
    *,
    max_fields: int = MAX_FIELDS,
    max_files: int = MAX_FILES,
    max_field_bytes: int = MAX_FIELD_BYTES,
) -> Form:
    """The posted form, read within these limits."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in FORM_TYPES:
        if not await request.body():
            return Form()  # an empty POST (a bare button) has no fields, and so no CSRF token
        raise UnsupportedForm("send the form as application/x-www-form-urlencoded or multipart/form-data")
    try:
        posted = await request.form(max_files=max_files, max_fields=max_fields, max_part_size=max_field_bytes)
    except (MultiPartException, HTTPException) as refused:
        if isinstance(refused, HTTPException) and refused.status_code != 400:
            raise
        raise BadForm(_reason(refused)) from None
    form = Form()
    try:
        for name, value in posted.multi_items():
            if isinstance(value, UploadFile):
                data = await value.read()
                if data:  # a file input left empty still sends a part, with no bytes
                    form.files[name] = Upload(value.filename or "", value.content_type or "", data)
            elif "\ufffd" in value:
                # Starlette reads bytes that are not UTF-8 as U+FFFD (URL-encoded) or Latin-1.
                raise BadForm("the form is not UTF-8")
            else:
                form.fields.setdefault(name, []).append(value)
    finally:
        await posted.close()
    return form


def _reason(refused: MultiPartException | HTTPException) -> str:
    said = str(refused.detail if isinstance(refused, HTTPException) else refused.message).lower()
    if "too many" in said:
        return "the form has too many fields"
    if "maximum size" in said:
        return "the form is too large"
    return "the form could not be read"
