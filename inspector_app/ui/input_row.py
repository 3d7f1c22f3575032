"""One signature input in the input builder: its name, dtype and shape, the editors that fit
it (chosen by ``inputs.editor_choice``), whether its value is ready, and the one-click fix
(add the batch dimension, cast to the input's dtype...) when the value almost fits."""

from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from inspector_app.errors import UserError
from inspector_app.inputs import editor_choice, expressions, validate
from inspector_app.inputs.validate import Check, TensorSpec, describe
from inspector_app.safeio import escape, one_line
from inspector_app.ui.editors import EDITORS, ArrayValueEditor, Editor, ExpressionEditor
from inspector_app.ui.editors.base import frozen
from inspector_app.ui.palette import problem_colour


def editor_kinds(spec: TensorSpec, has_image_input: bool) -> list[type[Editor]]:
    """The editor classes that fit an input, the best first."""
    return [EDITORS[k] for k in editor_choice.editor_kinds(spec, has_image_input)]


class InputRow(QFrame):
    """Name, dtype and shape; the editor kind; the editor; ready or the problem + fix."""

    changed = Signal()

    def __init__(self, spec: TensorSpec, has_image_input: bool) -> None:
        super().__init__(objectName=f"inputRow:{spec.name}")
        self.spec = spec
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.check = Check(False, "no value yet")
        self._value: np.ndarray | None = None
        name = html.escape(escape(spec.name))  # a name from the model: no markup, no escapes
        self.title = QLabel(f"<b>{name}</b>  {describe(spec.dtype, spec.shape)}",
                            objectName="inputTitle")  # fmt: skip
        self.kind_combo = QComboBox(objectName="editorKind")
        self.stack = QStackedWidget(objectName="editorStack")
        # Each kind of editor is made when it is first chosen: a signature with many inputs
        # would otherwise build every editor of every row at once, on the GUI thread.
        self.editors: dict[type[Editor], Editor | None] = {}
        for cls in editor_kinds(spec, has_image_input):
            self.editors[cls] = None
            self.stack.addWidget(QWidget())  # stands in until the editor is made
            self.kind_combo.addItem(cls.label, cls.__name__)
        self._make(0)
        self.stack.setCurrentIndex(0)
        self.status = QLabel(objectName="inputStatus", wordWrap=True)
        self.fix_button = QPushButton(objectName="fixButton", visible=False)
        self.fix_button.setToolTip("Repair the value; the expression or editor stays editable")
        self.fix_button.clicked.connect(self.apply_fix)
        self.fixes: list[validate.Fix] = []  # repairs applied after an editor that cannot show them
        self.fix_note = QLabel(objectName="fixNote", visible=False)
        self.undo_button = QPushButton("Undo fix", objectName="undoFix", visible=False)
        self.undo_button.setToolTip("Feed the editor's value as it is, without the repair")
        self.undo_button.clicked.connect(self.undo_fixes)
        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.kind_combo)
        foot = QHBoxLayout()
        foot.addWidget(self.status, 1)
        foot.addWidget(self.fix_note)
        foot.addWidget(self.undo_button)
        foot.addWidget(self.fix_button)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.stack)
        layout.addLayout(foot)
        self.refresh()

    def editor(self) -> Editor:
        return self.stack.currentWidget()  # type: ignore[return-value]

    def _make(self, index: int) -> Editor:
        cls = list(self.editors)[index]
        editor = self.editors[cls]
        if editor is None:
            editor = cls(self.spec)
            stand_in = self.stack.widget(index)
            self.stack.insertWidget(index, editor)
            self.stack.removeWidget(stand_in)
            stand_in.deleteLater()
            self.editors[cls] = editor
            editor.changed.connect(self.refresh)
        return editor

    def use(self, cls: type[Editor] | str) -> Editor:
        """Show the editor of class (or kind) ``cls``, made if needed (UserError when the
        input cannot take a value of that kind)."""
        if isinstance(cls, str):
            cls = EDITORS[cls]
        if cls not in self.editors:
            raise UserError(f"{self.spec.name} cannot take a value of that kind ({cls.label})")
        index = list(self.editors).index(cls)
        editor = self._make(index)
        if self.kind_combo.currentIndex() == index:
            self.stack.setCurrentIndex(index)
        else:
            self.kind_combo.setCurrentIndex(index)
        return editor

    def kinds(self) -> list[str]:
        return [cls.kind for cls in self.editors]

    def _kind_changed(self, index: int) -> None:
        self.fixes.clear()
        self._make(index)
        self.stack.setCurrentIndex(index)
        self.refresh()

    def value(self) -> np.ndarray | None:
        return self._value

    def show_error(self, message: str) -> None:
        """The row holds no value and says why (a value that could not be set)."""
        self._value = None
        self.check = Check(False, message)
        self._show()

    def refresh(self) -> None:
        try:
            value = self.editor().value()
            if self.fixes and not validate.check_feed(value, self.spec).ready:
                for fix in self.fixes:  # repairs applied after the user's editor
                    value = fix.apply(value)
            elif self.fixes:
                self.fixes.clear()  # the editor's own value fits now: no repair needed
            self._value = frozen(value)
            self.check = validate.check_feed(self._value, self.spec)
        except UserError as exc:
            self._value = None
            self.check = Check(False, one_line(str(exc)))
        except (MemoryError, RecursionError, ValueError, TypeError, OverflowError) as exc:
            self._value = None  # never an exception out of an editor: a message on the row
            self.check = Check(
                False, one_line(f"cannot use this value: {editor_choice.explain(exc)}")
            )
        self._show()
        self.changed.emit()

    def _show(self) -> None:
        ok = self.check.ready
        self.status.setText("✓ ready" if ok else self.check.message)
        self.status.setStyleSheet("" if ok else f"color: {problem_colour(self.status)};")
        self.fix_note.setText(
            "then: " + "; ".join(f.label.lower() for f in self.fixes) if self.fixes else ""
        )
        self.fix_note.setVisible(bool(self.fixes))
        self.undo_button.setVisible(bool(self.fixes))
        self.fix_button.setVisible(self.check.fix is not None)
        if self.check.fix is not None:
            self.fix_button.setText(self.check.fix.label)

    def apply_fix(self) -> None:
        """Repair the value so that it stays the user's: an expression is rewritten
        (``x`` -> ``x[None]``), a small array becomes an editable expression of its values,
        and any other editor keeps its settings with the repair applied after it."""
        fix = self.check.fix
        if fix is None or self._value is None:
            return
        editor = self.editor()
        if isinstance(editor, ExpressionEditor) and fix.rewrite is not None:
            editor.set_text(fix.rewrite(editor.edit.text()))
            return
        text = expressions.to_expression(fix.apply(self._value))
        if text is not None:
            self.use(ExpressionEditor).set_text(text)  # type: ignore[attr-defined]
            return
        self.fixes.append(fix)
        self.refresh()

    def set_values(self, array: np.ndarray) -> None:
        """Fill the row with ``array`` as editable text (an expression of its values), or as a
        set array when it is too large to show."""
        text = expressions.to_expression(array)
        if text is not None and ExpressionEditor in self.editors:
            self.use(ExpressionEditor).set_text(text)  # type: ignore[attr-defined]
        else:
            self.use(ArrayValueEditor).set_array(array)  # type: ignore[attr-defined]

    def undo_fixes(self) -> None:
        self.fixes.clear()
        self.refresh()
