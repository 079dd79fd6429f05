"""The widget's JavaScript unit tests (node --test), run under pytest so `make test` covers them."""
import shutil
import subprocess

from tests.support.servers import REPO_ROOT


def test_widget_unit_tests_pass():
    node = shutil.which("node")
    assert node, "node is required for the widget (Node 20)"
    result = subprocess.run([node, "--test", "test/"], check=False, cwd=REPO_ROOT / "widget",
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
