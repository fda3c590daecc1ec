"""Long lists are shown a page at a time, so a page costs the same with 50 rows or 50,000."""

from __future__ import annotations

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.http import HttpRequest

PER_PAGE = 50


def paginate(request: HttpRequest, items, per_page: int = PER_PAGE, *, param: str = "page") -> Page:
    """One page of `items`, numbered by the query parameter `param` (two lists on one page need two).
    A page number that is not a number shows the first page; one past the end shows the last."""
    paginator = Paginator(items, per_page)
    try:
        return paginator.page(request.GET.get(param) or 1)
    except PageNotAnInteger:
        return paginator.page(1)
    except EmptyPage:
        return paginator.page(paginator.num_pages)


def filters_query(request: HttpRequest) -> str:
    """The current filters without the page number: what an export of the whole filtered list needs."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
