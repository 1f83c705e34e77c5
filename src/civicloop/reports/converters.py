"""Path converters for the reports app's URLs (registered in ReportsConfig.ready)."""


class ReferenceConverter:
    """`<ref:reference>`: a report reference, 8 characters of the unambiguous alphabet (see Report.reference)."""

    regex = "[2-9A-HJKMNP-Z]{8}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
