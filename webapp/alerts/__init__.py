"""Alerts (SPEC §10): evaluating the rules after collection and on a schedule, and what they record.

The rules and the state machine are pure values in webapp/domain/alerts.py; evaluate.py applies them
to an organisation's summary and writes the state and the append-only events; settings.py turns the
configuration (and an organisation's overrides) into the rules' settings.
"""
