"""Help → About: ParApp's version, the catalogue and target set in use, where the data lives (with a button to
open that folder), the office's signing key, and the licences of what ParApp ships with."""

from __future__ import annotations

import html
import platform
import sqlite3

from parapp import __version__, settings
from parapp.engine.office import Office
from parapp.gui.qt import (
    QDesktopServices,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    Qt,
    QTabWidget,
    QTextBrowser,
    QUrl,
    QVBoxLayout,
    qVersion,
)
from parapp.resources import resource_path

# What the bundle ships, with the licence each declares (its package metadata; the fonts' own files).
COMPONENTS = (
    ("Python", platform.python_version(), "PSF-2.0"),
    ("Qt / PySide6", qVersion(), "LGPL-3.0-only"),
    ("SQLite", sqlite3.sqlite_version, "Public domain"),
    ("sqlite-utils", "", "Apache-2.0"),
    ("openpyxl", "", "MIT"),
    ("python-calamine", "", "MIT"),
    ("reportlab", "", "BSD-3-Clause"),
    ("Pillow", "", "MIT-CMU"),
    ("cryptography", "", "Apache-2.0 OR BSD-3-Clause"),
    ("platformdirs", "", "MIT"),
    ("vietnam-provinces", "", "—"),
    ("vietnamadminunits", "1.0.4", "MIT"),  # its data on the 2025 reorganisation, read when ParApp is built
    ("Liberation Serif", "2.x", "SIL Open Font License 1.1"),
    ("DejaVu Sans", "", "Bitstream Vera / DejaVu licence (free)"),
)
_DIST = {"sqlite-utils": "sqlite-utils", "openpyxl": "openpyxl", "python-calamine": "python-calamine",
         "reportlab": "reportlab", "Pillow": "pillow", "cryptography": "cryptography",
         "platformdirs": "platformdirs", "vietnam-provinces": "vietnam-provinces"}


def _version(name: str, given: str) -> str:
    if given or name not in _DIST:
        return given
    from importlib import metadata

    try:
        return metadata.version(_DIST[name])
    except metadata.PackageNotFoundError:  # a bundle may leave the metadata out
        return ""


class AboutDialog(QDialog):
    def __init__(self, office: Office, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("About ParApp"))
        self.office = office
        ts = office.target_set
        from parapp.store import keys

        public = keys.office_public_key(office.store)
        rows = [
            (self.tr("Version"), f"ParApp {__version__}"),
            (self.tr("Catalogue"), office.catalogue.version),
            (self.tr("Target set"), f"{ts.name.get()} ({ts.id}; {ts.document}, {ts.date})" if ts else self.tr("none")),
            (self.tr("Database"), str(office.store.path)),
            (self.tr("Data folder"), str(settings.data_dir()) + (
                " — " + self.tr("portable (data beside the program)") if settings.portable() else "")),
            (self.tr("This office's signing key"), keys.fingerprint(public) if public else "—"),
        ]
        info = QLabel("<table>" + "".join(
            f"<tr><td><b>{html.escape(k)}</b>&nbsp;&nbsp;</td><td>{html.escape(v)}</td></tr>" for k, v in rows)
            + "</table>", self)
        info.setWordWrap(True)
        info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        open_folder = QPushButton(self.tr("Open the data folder"), self)
        open_folder.clicked.connect(self.open_data_folder)
        tabs = QTabWidget(self)
        licences = QTextBrowser(self)
        licences.setHtml("<table cellpadding='2'>" + "".join(
            f"<tr><td>{html.escape(n)}</td><td>{html.escape(_version(n, v))}</td><td>{html.escape(lic)}</td></tr>"
            for n, v, lic in COMPONENTS) + "</table>")
        tabs.addTab(licences, self.tr("Libraries"))
        for path in sorted(resource_path("fonts").glob("LICENSE-*.txt")):
            text = QTextBrowser(self)
            text.setPlainText(path.read_text(encoding="utf-8"))
            tabs.addTab(text, path.stem.removeprefix("LICENSE-"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(self.tr(
            "<b>ParApp</b>: administrative-reform figures for commune, district and province offices: record "
            "them offline, check them against the province's targets, roll them up."), self))
        lay.addWidget(info)
        row = QHBoxLayout()
        row.addWidget(open_folder)
        row.addStretch(1)
        lay.addLayout(row)
        lay.addWidget(QLabel(self.tr("Shipped with:"), self))
        lay.addWidget(tabs, 1)
        lay.addWidget(buttons)
        self.resize(720, 560)

    def open_data_folder(self) -> bool:
        folder = settings.data_dir()
        folder.mkdir(parents=True, exist_ok=True)
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
