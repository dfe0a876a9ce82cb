"""The served document: stored in the database with its SHA-256, checked on every read."""

from __future__ import annotations

import hashlib
import io
import logging
import os
import stat
from pathlib import Path

from sqlalchemy.orm import Session

from console import config
from console.domain.permissions import Permission
from console.errors import NotFound, ValidationError
from console.services.audit import record, value_hmac
from console.services.context import Actor
from console.services.legal.model import (
    DocumentInfo,
    LegalError,
    clean,
    doc_info,
    flush_versioned,
    get_request,
    touch,
)
from console.store.db import Database
from console.store.legal_models import LegalDocument, LegalRequest

log = logging.getLogger("legal")

_CHUNK = 1 << 20


def read_served_file(path: Path, *, limit: int | None = None) -> bytes:
    """A served document's bytes, read in 1 MB pieces and no further than the site's limit
    (max_document_mb, else limit): a runaway file is refused without being read whole, and a
    device or a pipe (/dev/zero) is refused before a byte is read."""
    limit = config.max_document_bytes() if limit is None else limit
    name = path.name
    try:
        with path.open("rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise ValidationError(f"{path} is not a file (a device, a pipe or a folder).")
            content = io.BytesIO()
            while chunk := handle.read(min(_CHUNK, limit + 1 - content.tell())):
                content.write(chunk)
                if content.tell() > limit:
                    raise ValidationError(_too_big(name, limit))
    except IsADirectoryError:
        raise ValidationError(f"{name} is a folder, not a document.") from None
    except OSError as exc:
        raise ValidationError(f"Cannot read {name}: {exc.strerror}") from None
    return content.getvalue()


def _too_big(name: str, limit: int) -> str:
    return (
        f"The document {name} is larger than {limit // _CHUNK:,} MB (the site's limit, "
        "max_document_mb); it was not read further."
    )


def attach_document(
    db: Database,
    actor: Actor,
    request_id: int,
    filename: str,
    content: bytes,
    media_type: str = "application/pdf",
) -> DocumentInfo:
    actor.require(Permission.MANAGE_LEGAL)
    with db.transaction() as s:
        row = get_request(s, request_id)
        doc = attach(s, actor, row, filename, content, media_type)
        touch(row, actor)
        flush_versioned(s, row)
        return doc


def attach(
    s: Session, actor: Actor, row: LegalRequest, filename: str, content: bytes, media_type: str
) -> DocumentInfo:
    name = clean(filename.replace("\\", "/").rsplit("/", 1)[-1], "file name", 255, required=True)
    if not content:
        raise ValidationError(f"The document {name} is empty.")
    limit = config.max_document_bytes()
    if len(content) > limit:
        raise ValidationError(_too_big(name, limit))
    digest = hashlib.sha256(content).hexdigest()
    doc = LegalDocument(
        request_id=row.id,
        filename=name,
        media_type=media_type or "application/octet-stream",
        size=len(content),
        sha256=digest,
        content=content,
        uploaded_at=actor.clock.now(),
        uploaded_by=actor.id,
    )
    s.add(doc)
    s.flush()
    record(
        s,
        actor,
        "legal.document_attach",
        "legal_request",
        row.id,
        # The served document's name often names the person: the trail keeps its keyed hash.
        {
            "document": doc.id,
            "file_hmac": value_hmac(s, name),
            "sha256": digest,
            "size": len(content),
        },
    )
    return doc_info(doc)


def read_document(db: Database, actor: Actor, document_id: int) -> tuple[DocumentInfo, bytes]:
    """The stored document, checked against the SHA-256 taken when it was attached."""
    actor.require(Permission.VIEW_LEGAL)
    with db.transaction() as s:
        doc = s.get(LegalDocument, document_id)
        if doc is None:
            raise NotFound(f"No legal document {document_id}.")
        content = bytes(doc.content)
        ok = hashlib.sha256(content).hexdigest() == doc.sha256
        record(
            s,
            actor,
            "legal.document_view",
            "legal_request",
            doc.request_id,
            {"document": doc.id, "sha256_ok": ok},
        )
        info = doc_info(doc)
    if not ok:
        log.error("stored legal document %s fails its SHA-256 check", document_id)
        raise LegalError(
            f"The stored document {info.filename} does not match the SHA-256 recorded when it was "
            "attached: it was changed in the database. Restore it from a backup."
        )
    return info, content
