"""Choose a period as documents name them: a year, a half-year or a quarter."""

from __future__ import annotations

from parapp.domain.periods import Period
from parapp.gui.qt import QComboBox, QHBoxLayout, QLabel, QSpinBox, QWidget, Signal


class PeriodPicker(QWidget):
    period_changed = Signal(object)  # Period

    def __init__(self, period: Period, parent=None):
        super().__init__(parent)
        self._label = QLabel(self.tr("Period:"), self)
        self.part = QComboBox(self)
        self.year = QSpinBox(self)
        self.year.setRange(2000, 2100)
        self.year.setAccelerated(True)
        for text, data in [(self.tr("Year"), "Y1"), (self.tr("First half"), "S1"),
                           (self.tr("Second half"), "S2"), (self.tr("Quarter I"), "Q1"),
                           (self.tr("Quarter II"), "Q2"), (self.tr("Quarter III"), "Q3"),
                           (self.tr("Quarter IV"), "Q4")]:
            self.part.addItem(text, data)
        self.part.setAccessibleName(self.tr("Part of the year"))
        self.year.setAccessibleName(self.tr("Year"))
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self._label)
        lay.addWidget(self.part)
        lay.addWidget(self.year)
        self.set_period(period)
        self.part.currentIndexChanged.connect(self._changed)
        self.year.valueChanged.connect(self._changed)

    def period(self) -> Period:
        part = self.part.currentData() or "Y1"
        return Period(part[0], self.year.value(), int(part[1]))

    def set_period(self, period: Period) -> None:
        if period.kind == "M":
            period = period.parent()
        self.part.blockSignals(True)
        self.year.blockSignals(True)
        self.part.setCurrentIndex(max(0, self.part.findData(f"{period.kind}{period.index}")))
        self.year.setValue(period.year)
        self.part.blockSignals(False)
        self.year.blockSignals(False)

    def _changed(self) -> None:
        self.period_changed.emit(self.period())
