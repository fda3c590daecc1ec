"""Long lists are shown a page at a time, so a page costs the same with 50 rows or 50,000."""

from __future__ import annotations

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.http import HttpRequest

PER_PAGE = 50


def paginate(request: HttpRequest, items, per_page: int = PER_PAGE) -> Page:
    paginator = Paginator(items, per_page)
    try:
        return paginator.page(request.GET.get("page") or 1)
    except PageNotAnInteger:
        return paginator.page(1)
    except EmptyPage:
        return paginator.page(paginator.num_pages)


def filters_query(request: HttpRequest) -> str:
    """The current filters without the page number: what an export of the whole filtered list needs."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
