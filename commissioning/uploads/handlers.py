"""Django's two upload handlers, each file remembering the request it came with: the gate audits a
detected virus with who sent it and from where, without every form being handed the user."""

from __future__ import annotations

from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler


class _RemembersRequest:
    def file_complete(self, file_size):
        upload = super().file_complete(file_size)
        if upload is not None:
            upload.request = self.request
        return upload


class MemoryFileUploadHandler(_RemembersRequest, MemoryFileUploadHandler):
    pass


class TemporaryFileUploadHandler(_RemembersRequest, TemporaryFileUploadHandler):
    pass
