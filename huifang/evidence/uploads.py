"""Receiving evidence files without ever writing them to disk unencrypted.

Django spools uploads above FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file;
evidence must only reach the disk encrypted, so the upload page keeps files in
memory, up to the attachment limit; past it only the size is counted, so an
oversized file is refused with its real size and without holding it.
"""

import io
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler


class MemoryOnlyUploadHandler(FileUploadHandler):
    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.limit = settings.HUIFANG_ATTACHMENT_MAX_MB * 1024 * 1024

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.buffer: io.BytesIO | None = io.BytesIO()
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.received += len(raw_data)
        if self.buffer is not None:
            if self.received > self.limit:
                self.buffer = None  # too big: keep counting, stop keeping
            else:
                self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        content = self.buffer if self.buffer is not None else io.BytesIO()
        content.seek(0)
        return InMemoryUploadedFile(
            file=content,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
