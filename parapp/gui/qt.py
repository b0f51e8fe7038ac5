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
