"""The CSRF token of a multipart form (an upload): read by the portal, before any file."""

from __future__ import annotations

from kinerja_portal.web import _multipart_token

BOUNDARY = b"----kinerja"
CT = b"multipart/form-data; boundary=----kinerja"


def body(*parts: tuple[str, bytes, str | None]) -> bytes:
    out = b""
    for name, value, filename in parts:
        disp = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out += b"--" + BOUNDARY + b"\r\nContent-Disposition: " + disp.encode()
        out += (b"\r\nContent-Type: text/csv" if filename else b"") + b"\r\n\r\n" + value + b"\r\n"
    return out + b"--" + BOUNDARY + b"--\r\n"


def test_the_token_field_before_the_file_is_read():
    assert _multipart_token(CT, body(("csrftoken", b"abc.def", None), ("berkas", b"nip,nama\n", "a.csv"))) == "abc.def"


def test_a_file_before_the_token_gives_no_token():
    assert _multipart_token(CT, body(("berkas", b"nip,nama\n", "a.csv"), ("csrftoken", b"abc.def", None))) is None


def test_no_token_or_no_boundary_gives_none():
    assert _multipart_token(CT, body(("berkas", b"x", "a.csv"))) is None
    assert _multipart_token(b"multipart/form-data", body(("csrftoken", b"abc", None))) is None
    assert _multipart_token(CT, b"garbage") is None
