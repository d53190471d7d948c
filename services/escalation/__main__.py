from services.escalation.bootstrap import create_app
from services.escalation.settings import EscalationSettings
from shared.service import serve

settings = EscalationSettings()
serve(create_app(settings), settings)
