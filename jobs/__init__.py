"""The RQ side of collection: job entry points, the schedule (data), worker and scheduler start-up."""
