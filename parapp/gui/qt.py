"""The one module that imports PySide6; the rest of the GUI imports Qt from here."""

from PySide6 import QtCore, QtGui, QtWidgets  # noqa: F401
from PySide6.QtCharts import (  # noqa: F401
    QBarCategoryAxis,
    QChart,
    QChartView,
    QLegend,
    QLineSeries,
    QValueAxis,
    QXYSeries,
)
from PySide6.QtCore import (  # noqa: F401
    QT_TRANSLATE_NOOP,
    QAbstractItemModel,
    QAbstractTableModel,
    QCoreApplication,
    QEvent,
    QLocale,
    QModelIndex,
    QObject,
    QRunnable,
    QSettings,
    QSize,
    QSortFilterProxyModel,
    Qt,
    QThreadPool,
    QTimer,
    QTranslator,
    Signal,
    Slot,
)
from PySide6.QtGui import (  # noqa: F401
    QAction,
    QActionGroup,
    QBrush,
    QColor,
    QFont,
    QIcon,
    QKeySequence,
    QPainter,
    QPalette,
    QPixmap,
    QUndoCommand,
    QUndoStack,
)
from PySide6.QtUiTools import QUiLoader  # noqa: F401
from PySide6.QtWidgets import (  # noqa: F401
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QButtonGroup,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QProgressDialog,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QSplitter,
    QStatusBar,
    QStyledItemDelegate,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QToolBar,
    QTreeView,
    QVBoxLayout,
    QWidget,
)


def tr(context: str, text: str) -> str:
    """Translate a text of the given context (for code outside QObject subclasses)."""
    return QCoreApplication.translate(context, text)


def _keep_none_alive() -> None:
    """Work around PySide6 6.12 on Python 3.11, which drops a reference to None on every Qt call
    returning None (setText, setEnabled, ...): after some thousand calls Python aborts with
    "Fatal Python error: none_dealloc". PySide6 6.11 and Python 3.12+ (where None is immortal) are
    unaffected. The probe below finds the fault; then None gets references enough never to reach 0.
    """
    import ctypes
    import sys

    if sys.version_info >= (3, 12):
        return
    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(8):
        probe.setObjectName("probe")
    if sys.getrefcount(None) < before:
        ctypes.c_ssize_t.from_address(id(None)).value += sys.maxsize // 4


_keep_none_alive()
