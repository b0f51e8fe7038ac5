"""The one module that imports PySide6; the rest of the GUI imports Qt from here.

Every name is looked up in its Qt module the first time a module asks for it: PySide6 makes a class's Python type,
and the enums in it, on first use, and making those the window does not need at start (the Designer-form loader,
the charts, the PDF viewer, printing, dialogs shown later) would only delay it.
"""

import importlib
import sys

import shiboken6


def _reads_bytes() -> None:
    """PySide6 asks of every module imported after it whether its source names "PySide6" (for its opt-in
    ``__feature__`` switches), through ``inspect.getsource``: the file decoded, split into lines and kept in
    linecache, about 0.1-0.3 ms a module and some 70 modules while the window starts. The same question is
    answered here from the file's bytes; a module with no source file gets PySide6's own answer."""
    feature = sys.modules.get("shibokensupport.feature")
    asks = getattr(feature, "_mod_uses_pyside", None)
    if asks is None or getattr(asks, "reads_bytes", False):
        return

    def uses_pyside(module) -> bool:
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and path.endswith(".py"):
            try:
                with open(path, "rb") as f:
                    return b"PySide6" in f.read()
            except OSError:
                pass
        return asks(module)

    uses_pyside.reads_bytes = True
    feature._mod_uses_pyside = uses_pyside


_reads_bytes()
from PySide6 import QtCore, QtGui, QtWidgets  # noqa: E402, F401

_NAMES = {
    "PySide6.QtCore": (
        "QT_TRANSLATE_NOOP", "QAbstractItemModel", "QAbstractTableModel", "QCoreApplication", "QEvent", "QEventLoop",
        "QLocale", "QLockFile", "QModelIndex", "QObject", "QRunnable", "QSettings", "QSize", "QSortFilterProxyModel",
        "Qt", "QThreadPool", "QTimer", "QTranslator", "QUrl", "Signal", "Slot", "qVersion",
    ),
    "PySide6.QtGui": (
        "QAction", "QActionGroup", "QBrush", "QColor", "QDesktopServices", "QFont", "QIcon", "QKeySequence", "QPainter",
        "QPalette", "QPixmap", "QUndoCommand", "QUndoStack",
    ),
    "PySide6.QtWidgets": (
        "QAbstractItemDelegate", "QAbstractItemView", "QApplication", "QButtonGroup", "QCheckBox", "QComboBox",
        "QCompleter", "QDialog", "QDialogButtonBox", "QFileDialog", "QFormLayout", "QGridLayout", "QHBoxLayout",
        "QHeaderView", "QInputDialog", "QLabel", "QLineEdit", "QListWidget", "QListWidgetItem", "QMainWindow",
        "QMessageBox", "QPlainTextEdit", "QProgressDialog", "QPushButton", "QRadioButton", "QSpinBox", "QSplitter",
        "QStatusBar", "QStyledItemDelegate", "QTableView", "QTableWidget", "QTableWidgetItem", "QTabWidget",
        "QTextBrowser", "QToolBar", "QToolButton", "QTreeView", "QVBoxLayout", "QWidget",
    ),
    "PySide6.QtCharts": ("QBarCategoryAxis", "QChart", "QChartView", "QLegend", "QLineSeries", "QValueAxis",
                         "QXYSeries"),
    "PySide6.QtPdf": ("QPdfDocument",),
    "PySide6.QtPdfWidgets": ("QPdfView",),
    "PySide6.QtPrintSupport": ("QPrintDialog", "QPrinter"),
    "PySide6.QtUiTools": ("QUiLoader",),
}
_WHERE = {name: module for module, names in _NAMES.items() for name in names}
__all__ = ["QtCore", "QtGui", "QtWidgets", "alive", *_WHERE]


def alive(obj: object) -> bool:
    """Is obj's Qt object still there (not deleted with its parent, or by deleteLater)?"""
    return shiboken6.isValid(obj)


def __getattr__(name: str):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
