from services.intake.bootstrap import create_app
from services.intake.settings import IntakeSettings
from shared.service import serve

settings = IntakeSettings()
serve(create_app(settings), settings)
