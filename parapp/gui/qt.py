"""The one module that imports PySide6; the rest of the GUI imports Qt from here.

Every name is looked up in its Qt module the first time a module asks for it: PySide6 makes a class's Python type,
and the enums in it, on first use, and making those the window does not need at start (the Designer-form loader,
the charts, the PDF viewer, printing, dialogs shown later) would only delay it.
"""

import importlib

import shiboken6
from PySide6 import QtCore, QtGui, QtWidgets  # noqa: F401

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
