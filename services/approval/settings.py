from shared.settings import ServiceSettings


class ApprovalSettings(ServiceSettings):
    service_name: str = "approval"
    port: int = 8102
    outbox_interval_s: float = 1.0
    #: How far ahead a commissioned request (约稿) may be due.
    request_max_ahead_days: int = 366
    #: How long a decision or receipt waits for a report or item intake accepted that approval has not applied yet
    #: (then 409 with Retry-After: ``arrival_retry_after_s``).
    arrival_wait_s: float = 2.0
    arrival_retry_after_s: float = 1.0
