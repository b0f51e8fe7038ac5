"""Qt Designer forms (ui/*.ui), loaded at run time through this one function.

A form's texts are English source texts that Qt's translator translates, with the form's class name
(the `<class>` element of the .ui file) as the translation context; `lupdate` collects them from the
.ui files into resources/translations/parapp_vi.ts under that same context.
"""

from __future__ import annotations

from typing import TypeVar

from parapp.gui.qt import QObject, QUiLoader, QWidget
from parapp.resources import ui_path

T = TypeVar("T", bound=QObject)


class FormError(RuntimeError):
    """A form is missing or broken: a bug in the installed program, not something the officer did."""


def form_names() -> list[str]:
    """The name of every form under ui/ (without the .ui suffix), sorted."""
    folder = ui_path("")
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.ui"))


def load_form(name: str, parent: QWidget | None = None) -> QWidget:
    """The widget built from ui/<name>.ui, as a child of parent.

    Raises FormError if the file is missing or Qt cannot build it.
    """
    path = ui_path(f"{name}.ui")
    if not path.is_file():
        raise FormError(f"The form {name!r} is missing: no file {path}")
    loader = QUiLoader()
    loader.setLanguageChangeEnabled(True)  # the form retranslates itself when the language changes
    widget = loader.load(str(path), parent)
    if widget is None:
        raise FormError(f"The form {name!r} could not be built from {path}: {loader.errorString()}")
    return widget


def child(form: QWidget, cls: type[T], name: str) -> T:
    """The child of a loaded form with this class and object name; FormError if the form lacks it."""
    found = form.findChild(cls, name)
    if found is None:
        raise FormError(f"The form {form.objectName()!r} has no {cls.__name__} named {name!r}")
    return found
