"""Files attached to a request: allowed by extension and by content, and size-capped."""

import os
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from stewards.models import RequestAttachment, ServiceRequest
from zonehub.db import InsertBatch

# --- attachments ------------------------------------------------------------------------------

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# extension → (content type, how to recognise the content)
ALLOWED_ATTACHMENTS: dict[str, tuple[str, str]] = {
    ".pdf": ("application/pdf", "pdf"),
    ".jpg": ("image/jpeg", "jpeg"),
    ".jpeg": ("image/jpeg", "jpeg"),
    ".png": ("image/png", "png"),
    ".gif": ("image/gif", "gif"),
    ".webp": ("image/webp", "webp"),
    ".doc": ("application/msword", "ole"),
    ".xls": ("application/vnd.ms-excel", "ole"),
    ".ppt": ("application/vnd.ms-powerpoint", "ole"),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "ooxml:word/"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "ooxml:xl/"),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "ooxml:ppt/"),
}
ATTACHMENT_EXTENSIONS_TEXT = "PDF, JPG, PNG, GIF, WebP, Word, Excel, PowerPoint"


# RequestAttachment.original_name holds this many characters; browsers send names up to 255.
ATTACHMENT_NAME_MAX = 200


def attachment_name(name: str) -> str:
    """The name a file is kept under: its own name without folders, shortened before its
    extension when too long (the extension says what the file is: it is never cut)."""
    name = os.path.basename((name or "").replace("\\", "/"))
    if len(name) <= ATTACHMENT_NAME_MAX:
        return name
    stem, ext = os.path.splitext(name)
    if len(ext) >= ATTACHMENT_NAME_MAX // 2:  # not an extension at all
        stem, ext = name, ""
    return stem[: ATTACHMENT_NAME_MAX - len(ext)].rstrip() + ext


def attachment_max_bytes() -> int:
    return settings.ZONEHUB_ATTACHMENT_MAX_MB * 1024 * 1024


def _content_matches(file, kind: str) -> bool:
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    if kind == "pdf":
        return head.startswith(b"%PDF-")
    if kind == "jpeg":
        return head.startswith(b"\xff\xd8\xff")
    if kind == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if kind == "gif":
        return head[:6] in (b"GIF87a", b"GIF89a")
    if kind == "webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if kind == "ole":
        return head.startswith(OLE_MAGIC)
    if kind.startswith("ooxml:"):
        if not head.startswith(ZIP_MAGIC):
            return False
        try:
            with zipfile.ZipFile(file) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return False
        finally:
            file.seek(0)
        prefix = kind.split(":", 1)[1]
        return "[Content_Types].xml" in names and any(n.startswith(prefix) for n in names)
    return False


def attachment_validate(*, file) -> None:
    """Raise ValidationError unless ``file`` (an UploadedFile) is an allowed type — PDF, image
    (JPEG/PNG/GIF/WebP) or Office document — checked by extension AND by its content, and no
    larger than ``settings.ZONEHUB_ATTACHMENT_MAX_MB`` (default 10). Forms and the API call it
    to show the message next to the field; the services call it again before saving."""
    name = attachment_name(getattr(file, "name", "") or "")
    ext = os.path.splitext(name)[1].lower()
    if ext not in ALLOWED_ATTACHMENTS:
        raise ValidationError(
            _("“%(name)s” is not an allowed type. Allowed: %(types)s.") % {"name": name, "types": ATTACHMENT_EXTENSIONS_TEXT},
            code="file_type",
        )
    size = getattr(file, "size", None) or 0
    if size > attachment_max_bytes():
        raise ValidationError(
            _("“%(name)s” is larger than %(max)s MB.") % {"name": name, "max": attachment_max_bytes() // (1024 * 1024)},
            code="file_size",
        )
    if size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name}, code="file_empty")
    if not _content_matches(file, ALLOWED_ATTACHMENTS[ext][1]):
        raise ValidationError(
            _("The content of “%(name)s” does not match its type %(ext)s.") % {"name": name, "ext": ext},
            code="file_content",
        )


def _save_attachments(request: ServiceRequest, files, actor, now,
                      batch: InsertBatch | None = None) -> list[RequestAttachment]:
    """Store ``files`` and their rows (with ``batch``, written with the batch's other rows: on
    PostgreSQL they then have no id in hand)."""
    saved = []
    for f in files:
        name = attachment_name(f.name)
        ext = os.path.splitext(name)[1].lower()
        attachment = RequestAttachment(
            request=request, original_name=name, size=f.size, content_type=ALLOWED_ATTACHMENTS[ext][0],
            uploaded_by=actor, uploaded_at=now,
        )
        f.seek(0)
        attachment.file.save(name, f, save=False)
        if batch is not None:
            batch.add(attachment)
        else:
            attachment.save()
        saved.append(attachment)
    # Files are written before the transaction commits; all validation runs before the first
    # write, so only a crash between the two can leave an orphan file (harmless, never served).
    return saved


def _validate_files(files) -> list:
    files = [f for f in (files or []) if f]
    errors = []
    for f in files:
        try:
            attachment_validate(file=f)
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({"files": errors})
    return files
