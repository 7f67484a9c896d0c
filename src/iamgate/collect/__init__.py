"""Collection: the only package that calls AWS to read an account (``aws/`` builds the clients).

One module per data source, each a :class:`~iamgate.collect.source.DataSource`; ``snapshot.py``
runs them in order into a frozen :class:`~iamgate.model.snapshot.Snapshot`.
"""
