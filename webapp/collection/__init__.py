"""Collection: provider readings into the append-only ledger, through one write path (SPEC §3)."""
