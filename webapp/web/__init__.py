"""Web plumbing every blueprint shares: htmx, parameters, assets, template filters, CSV responses, headers."""
