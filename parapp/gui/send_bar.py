"""What comes after a submission: sending the return to the level above, from a bar above the form.

The bar says the figures were submitted and holds the e-mail address of the level above (the one kept, or
empty for the officer to type); Enter or its button writes the return and an e-mail draft into the outbox,
and the bar then says what was written and where, with a link that opens the folder. It asks nothing more.
"""

from __future__ import annotations

import html
from pathlib import Path

from parapp.gui.qt import QHBoxLayout, QLabel, QLineEdit, QPushButton, Qt, QToolButton, QWidget
from parapp.i18n import ParAppError


class SendBar(QWidget):
    """Above the tabs, hidden until a submission; hidden again when the unit or period changes."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.setObjectName("send-bar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet("QWidget#send-bar { background: #E8F5E9; } QWidget#send-bar QLabel { color: #1B5E20; }")
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setWordWrap(True)
        self.label.linkActivated.connect(self._link)
        self.address = QLineEdit(self)
        self.address.setPlaceholderText(self.tr("e-mail address of the level above"))
        self.address.setMinimumWidth(220)
        self.address.returnPressed.connect(self.send)
        self.send_button = QPushButton(self.tr("Send to the &outbox"), self)
        self.send_button.setToolTip(self.tr("Write the return and an e-mail draft addressed to the level above into "
                                            "the outbox; open the draft in your mail program to send it."))
        self.send_button.clicked.connect(self.send)
        close = QToolButton(self)
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip(self.tr("Close"))
        close.clicked.connect(self.hide)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 4, 4, 4)
        lay.addWidget(self.label, 1)
        lay.addWidget(self.address)
        lay.addWidget(self.send_button)
        lay.addWidget(close)
        self._folder: Path | None = None
        self.hide()

    def offer(self, unit_name: str, period_label: str) -> None:
        """Just submitted: offer to send, the focus in the address (kept, or to be typed)."""
        from parapp.exchange.outbox import upper_email

        self._folder = None
        self.label.setText(html.escape(self.tr("{unit}, {period}: submitted. Send the return to the level above:").format(
            unit=unit_name, period=period_label)))
        self.address.setText(upper_email(self.window.office) or "")
        self.address.show()
        self.send_button.show()
        self.show()
        self.address.setFocus()
        self.address.selectAll()

    def send(self) -> None:
        from parapp.exchange.outbox import set_upper_email

        typed = self.address.text().strip()
        try:
            to = set_upper_email(self.window.office, typed) if typed else None
        except ParAppError as e:
            self.label.setText(html.escape("⚠ " + e.message()))
            self.address.setFocus()
            return
        if not to:
            self.label.setText(html.escape("⚠ " + self.tr("Type the e-mail address of the level above first.")))
            self.address.setFocus()
            return
        self.window.exchange.export_to_outbox(to=to, report=self.sent)

    def sent(self, text: str, folder: Path) -> None:
        """The outbox was written: say so, with a link to the folder."""
        self._folder = folder
        self.address.hide()
        self.send_button.hide()
        self.label.setText(f"✔ {html.escape(text)} <a href=\"folder\">{html.escape(self.tr('Open the folder'))}</a>")
        self.window.entry.view.setFocus()  # back to the form

    def _link(self, _href: str) -> None:
        if self._folder is not None:
            self.window.exchange.open_folder(self._folder)
