from services.assessment.bootstrap import create_app
from services.assessment.settings import AssessmentSettings
from shared.service import serve

settings = AssessmentSettings()
serve(create_app(settings), settings)
