"""What an operator must fix before the bot can start, said in one line per problem.

Start-up checks raise ``StartupError``; ``python -m bot`` prints its lines and exits with 2,
without a traceback: the fix is in the deployment (a path, a permission, a setting), not in the
code, and whoever deploys should not have to read Python to find it.
"""

import os
import tempfile
from pathlib import Path


class StartupError(Exception):
    """One or more problems that stop the bot from starting; each is one line for the log."""

    def __init__(self, *lines: str) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def absolute(path: Path | str) -> Path:
    """The path as the operator should read it: absolute, ``..`` folded, symlinks kept."""
    return Path(os.path.abspath(path))


def require_writable_folder(path: Path | str, setting: str) -> None:
    """Create the folder if needed and write (then remove) a probe file in it.

    Permission bits do not tell (root, ACLs, read-only mounts, a full disk); only a real write
    does, and finding out at start beats losing a worker's photo on the first report.
    """
    folder = absolute(path)
    if folder.exists() and not folder.is_dir():
        raise StartupError(f"{setting} {folder} is a file, not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(dir=folder, prefix=".write-probe-")
        os.close(handle)
        os.unlink(probe)
    except OSError as error:
        reason = error.strerror or str(error)
        raise StartupError(f"{setting} {folder} is not a writable folder ({reason})") from error


def content_problem(root: Path, item_count: int | None = None) -> str | None:
    """Why a content tree is no content at all, if it is not (``item_count`` once it is read).

    An empty tree validates (nothing is wrong with nothing), yet a bot without its library is
    broken: this is what a non-editable install that lacked its data looked like.
    """
    if not root.is_dir():
        return f"content folder {root} does not exist: nothing to load"
    if item_count == 0 or not any(root.rglob("*.yaml")):
        return f"content folder {root} holds no content items (*.yaml): nothing to load"
    return None


def require_content(root: Path) -> None:
    if problem := content_problem(root):
        raise StartupError(problem)
