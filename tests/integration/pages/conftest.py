from tests.integration.pages.fixtures import archive, scenario

__all__ = ["archive", "scenario"]
