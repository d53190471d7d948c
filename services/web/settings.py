from pathlib import Path

from pydantic import Field

from shared.settings import ServiceSettings


class WebSettings(ServiceSettings):
    """The pages: accounts, sign-in and the services' APIs on behalf of the signed-in person (no Kafka)."""

    service_name: str = "web"
    port: int = 8100
    jwt_signing_key: Path = Field(
        description="The stack's token-signing key (PEM, the one ./baosong token uses): web mints each signed-in "
                    "person's short-lived tokens with it.")
    service_urls: dict[str, str] = Field(
        default_factory=dict, description='JSON: the services the pages call, e.g. {"archive": "http://…:8104"}; '
                                          "/api/{service}/v1/… reaches them.")
    front_end_dir: Path | None = Field(
        default=None, description="Vue and Element Plus, fetched from npm by ./baosong up (none: the sign-in page "
                                  "cannot load them).")
    echarts_js: Path | None = Field(default=None, description="ECharts for the statistics page's charts.")
    session_ttl_s: int = Field(default=8 * 3600, ge=60, description="A session ends this long after sign-in.")
    signin_max_failures: int = Field(default=5, ge=1, description="Failed sign-ins within the window that lock.")
    signin_window_s: int = Field(default=15 * 60, ge=1, description="The window those failures are counted in.")
    signin_lock_s: int = Field(default=15 * 60, ge=1, description="How long a login stays locked.")
    api_token_ttl_s: int = Field(default=300, ge=30, le=3600,
                                 description="Lifetime of the token minted for each call the pages make.")
    secure_cookie: bool = Field(default=False, description="Mark the session cookie Secure (behind HTTPS).")
    allowed_origins: list[str] = Field(
        default_factory=list, description="Origins besides the one the request names in Host (a proxy's address) "
                                          "that the pages are served from.")
    password_memory_kib: int = Field(default=65536, ge=8, description="argon2id memory per hash (KiB).")
    password_time_cost: int = Field(default=3, ge=1, description="argon2id passes.")
