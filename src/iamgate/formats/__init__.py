"""One module per file format, reading and writing it; one bounded file reader."""
