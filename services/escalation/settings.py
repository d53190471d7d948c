from shared.settings import ServiceSettings


class EscalationSettings(ServiceSettings):
    service_name: str = "escalation"
    port: int = 8103
