"""Publishing: what is due (`plan`), where each post stands (`state`), sending it
(`orchestrator`), how often to try (`retry`), what happened (`report`) and how
that is shown (`reporters`)."""

from clarion.publish.orchestrator import Mark, Publisher, ReceiptSink
from clarion.publish.plan import Job, outgoing_for, plan, stored_to_receipt
from clarion.publish.report import NetworkOutcome, PostOutcome, PublishReport
from clarion.publish.retry import RetryPolicy
from clarion.publish.state import JobKind, Standing, State, effective_state, receipt_state

__all__ = [
    "Job",
    "JobKind",
    "Mark",
    "NetworkOutcome",
    "PostOutcome",
    "PublishReport",
    "Publisher",
    "ReceiptSink",
    "RetryPolicy",
    "Standing",
    "State",
    "effective_state",
    "outgoing_for",
    "plan",
    "receipt_state",
    "stored_to_receipt",
]
