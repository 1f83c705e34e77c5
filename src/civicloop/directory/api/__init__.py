"""The HSDS 3.0 read API at /hsds/ (the standard's openapi.json): plain Django views, since
its formats (the Page envelope, NDJSON streams) are not django-ninja's."""
