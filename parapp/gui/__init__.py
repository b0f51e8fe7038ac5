"""The desktop window: the only package that imports Qt (through parapp.gui.qt)."""
