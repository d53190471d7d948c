from shared.settings import ServiceSettings


class ApprovalSettings(ServiceSettings):
    service_name: str = "approval"
    port: int = 8102
