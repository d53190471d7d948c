from services.web.bootstrap import create_app
from services.web.settings import WebSettings
from shared.service import serve

settings = WebSettings()
serve(create_app(settings), settings)
