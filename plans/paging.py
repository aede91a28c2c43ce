"""Paging long, sorted lists (milestones, actions) without sorting every joined row."""

from django.core.paginator import Paginator


class IdsFirstPaginator(Paginator):
    """Sorts and slices ids only, then fetches the page's rows joined for display.

    A page of a joined, sorted queryset otherwise makes the database carry every row's joined
    columns (texts, leads, updates) through the sort; sorting narrow ids and fetching 50 wide
    rows by primary key is one more query but keeps the sort small at any list size.
    """

    def __init__(self, *args, count: int | None = None, rows=None, **kwargs):
        """``count``: the caller counted already. ``rows``: fetch the page's rows from this
        queryset instead, when they need more (aggregates, prefetches) than sorting and
        counting do."""
        super().__init__(*args, **kwargs)
        if count is not None:
            self.count = count
        self.rows = rows

    def _get_page(self, object_list, number, paginator):
        ids = list(object_list.values_list("pk", flat=True))
        source = self.object_list if self.rows is None else self.rows
        rows = source.order_by().in_bulk(ids)
        # A row deleted between the two queries is left out rather than failing the page.
        return super()._get_page([rows[pk] for pk in ids if pk in rows], number, paginator)
