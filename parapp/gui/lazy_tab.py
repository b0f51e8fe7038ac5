"""A tab that builds its page the first time it is shown (or asked for), so that the window opens sooner."""

from __future__ import annotations

from collections.abc import Callable

from parapp.gui.qt import QVBoxLayout, QWidget, Signal


class LazyTab(QWidget):
    """Stands in the tab bar for a page built by factory(parent) when first needed; forwards the tab interface
    (set_context, refresh, and the unit_requested and data_changed signals) and any other attribute to it."""

    unit_requested = Signal(str)
    data_changed = Signal()

    def __init__(self, factory: Callable[[QWidget], QWidget], parent: QWidget | None = None):
        super().__init__(parent)
        self._factory = factory
        self._page: QWidget | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

    @property
    def built(self) -> bool:
        return self._page is not None

    @property
    def page(self) -> QWidget:
        """The page itself, built now if it was not yet."""
        if self._page is None:
            page = self._factory(self)
            self._page = page
            self.layout().addWidget(page)
            for name in ("unit_requested", "data_changed"):
                signal = getattr(page, name, None)
                if signal is not None:
                    signal.connect(getattr(self, name))
        return self._page

    def set_context(self, office, unit: str, period) -> None:
        self.page.set_context(office, unit, period)

    def refresh(self) -> None:
        if self._page is not None:  # a page never shown has nothing to bring up to date
            self._page.refresh()

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.page, name)
