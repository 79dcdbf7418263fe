"""Output formats. Each module has `render(report) -> str` (or writes to a stream)."""

FORMATS = ("text", "json", "sarif", "gcc", "github", "rdjson")
