"""Pagination for list pages."""

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest


def paginate(request: HttpRequest, queryset: QuerySet, per_page: int) -> Page:
    """The requested page; a page number out of range or not a number gives the nearest valid page."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def query_without_page(request: HttpRequest) -> str:
    """The current filters as a query string, for page links that keep them."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
