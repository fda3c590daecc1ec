"""Who reads sealed tenders in this request (contracts.award.sealing): every request runs as its user,
so a sealed value opens only for the bidder's own users or, once two officers have opened the
competition, for staff. Placed after the authentication middleware."""

from __future__ import annotations

from .sealing import reading_as


class SealedReadingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with reading_as(request.user):
            return self.get_response(request)
