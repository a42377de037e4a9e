"""Pagination for every API list.

Page numbers for lists that stay small (functions, boards); a cursor for lists that grow
without bound (audit events, measurements, notifications), where OFFSET would get slower and
rows would shift between pages as new ones arrive.
"""

from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class CursorPagination(pagination.CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-id"
