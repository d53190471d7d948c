"""A newcomer's machine may lack a tool: the message must name the package to install."""

import pytest

from deploy.proc import SetupError, require_binary


def test_missing_binary_names_the_package_to_install() -> None:
    with pytest.raises(SetupError, match=r"apt-get install some-package"):
        require_binary("baosong-no-such-binary", "some-package")


def test_present_binary_is_found() -> None:
    assert require_binary("sh", "dash").endswith("/sh")
