from shared.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    service_name: str = "intake"
    port: int = 8101
    clock_skew_s: float = 120.0
    """How far in the future an occurrence time may lie before it is refused (clocks disagree)."""
