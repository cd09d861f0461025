"""The read model: per-organisation summaries and daily figures derived from the ledger (SPEC §8)."""
