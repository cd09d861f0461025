"""The product's rules and values, once each: months, money, balance and freshness rules.

Pure Python (and SQL expression builders that take columns): imports nothing else from webapp.
"""
