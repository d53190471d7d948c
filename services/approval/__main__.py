from services.approval.bootstrap import create_app
from services.approval.settings import ApprovalSettings
from shared.service import serve

settings = ApprovalSettings()
serve(create_app(settings), settings)
