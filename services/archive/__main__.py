from services.archive.bootstrap import create_app
from services.archive.settings import ArchiveSettings
from shared.service import serve

settings = ArchiveSettings()
serve(create_app(settings), settings)
