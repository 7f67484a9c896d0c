"""``iamgate demo``: a stand-in AWS account (moto, on loopback) seeded with typical mistakes.

Only ``iamgate demo`` (and the tests) import this package: it needs the ``demo`` extra.
"""
