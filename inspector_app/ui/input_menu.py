"""The input builder's "Inputs…" menu: TF Serving REST bodies, warmup records and saved input
sets in and out (their Qt-free logic lives in ``inspector_app.inputs``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QInputDialog,
    QMenu,
    QMessageBox,
    QToolButton,
)

from inspector_app.errors import UserError
from inspector_app.inputs import editor_choice, inputset, serving, warmup
from inspector_app.safeio import one_line


class InputsMenu(QToolButton):
    """The "Inputs…" button of one builder; every action's error is a message box line."""

    def __init__(self, builder: Any) -> None:
        # builder: the InputBuilder (not imported: it imports this module)
        super().__init__(builder, objectName="inputActions", text="Inputs…")
        self.builder = builder
        self.model_dir: Path | None = None  # where the model's own warmup requests are looked for
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self)
        self.model_warmup_action = menu.addAction(
            "Warmup requests in the model (assets.extra)…",
            lambda: self._guarded(self._load_model_warmup),
        )
        self.model_warmup_action.setVisible(False)
        for text, slot in (
            ("Paste a TF Serving REST body…", self._paste_body),
            ("Copy the REST body and curl command", self._copy_body),
            ("Load a warmup file…", self._load_warmup),
            ("Write a warmup file…", self._write_warmup),
            ("Save the inputs as a set…", self._save_set),
            ("Load an input set…", self._load_set),
        ):
            menu.addAction(text, lambda slot=slot: self._guarded(slot))
        self.setMenu(menu)

    def set_model_dir(self, model_dir: str | Path | None) -> None:
        """Offer the model's own warmup requests when it has them."""
        self.model_dir = Path(model_dir) if model_dir is not None else None
        found = warmup.find_warmup_file(self.model_dir) if self.model_dir is not None else None
        self.model_warmup_action.setVisible(found is not None)

    def _guarded(self, slot: Callable[[], None]) -> None:
        try:
            slot()
        except UserError as exc:
            QMessageBox.warning(self.builder, "Inputs", one_line(str(exc), 600))
        except Exception as exc:  # noqa: BLE001 - a hostile body or file: a message, never a crash
            QMessageBox.warning(self.builder, "Inputs", one_line(editor_choice.explain(exc), 600))

    def _say(self, text: str) -> None:
        self.builder.message.emit(text)
        bar = getattr(self.builder.window(), "statusBar", None)
        if callable(bar):
            bar().showMessage(text, 10000)

    def _paste_body(self) -> None:
        text, ok = QInputDialog.getMultiLineText(self.builder, "REST body", "Paste a predict body:")
        if ok and text.strip():
            self.builder.load_request_body(text)

    def _copy_body(self) -> None:
        b = self.builder
        b.refuse_unless_ready("copy the REST body")
        body = b.request_body(b.signature)
        QApplication.clipboard().setText(serving.curl_command(b.model_name, body))
        self._say(f"Copied the REST body ({len(body):,} bytes) and curl command for "
                  f"{b.model_name!r}, signature {b.signature!r}")  # fmt: skip

    def _load_model_warmup(self) -> None:
        found = warmup.find_warmup_file(self.model_dir) if self.model_dir is not None else None
        if found is None:
            raise UserError("this model has no assets.extra/tf_serving_warmup_requests")
        self._choose_warmup_record(str(found))

    def _load_warmup(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.builder, "Warmup file", "", "All files (*)")
        if path:
            self._choose_warmup_record(path)

    def _choose_warmup_record(self, path: str) -> None:
        records = warmup.read_warmup(path)
        if not records:
            raise UserError("the warmup file holds no records", path=path)
        titles = [r.title for r in records]
        title, ok = QInputDialog.getItem(self.builder, "Warmup record", "Record:", titles, 0, False)
        if ok:
            self.builder.load_warmup_record(records[titles.index(title)])

    def _write_warmup(self) -> None:
        b = self.builder
        b.refuse_unless_ready("write a warmup file")
        path, _ = QFileDialog.getSaveFileName(b, "Write warmup file", "tf_serving_warmup_requests")
        if path:  # the dialog already asked before replacing a file
            written = warmup.write_warmup(path, b.feeds(), model_name=b.model_name,
                                          signature_name=b.signature, overwrite=True)  # fmt: skip
            self._say(f"Wrote a warmup record to {written or path}")

    def _save_set(self) -> None:
        b = self.builder
        name, ok = QInputDialog.getText(b, "Save input set", "Name:")
        if ok and name.strip():
            path = inputset.save_input_set(b.input_set(name, b.signature), b.config_dir)
            inputset.remember_last(b.config_dir, b.signature, path, b.model_key)
            self._say(f"Saved the input set {name.strip()!r} to {path}")

    def _load_set(self) -> None:
        b = self.builder
        folder = str(b.config_dir or inputset.default_config_dir())
        path, _ = QFileDialog.getOpenFileName(b, "Load input set", folder, "Input sets (*.json)")
        if path:
            b.apply_input_set(inputset.load_input_set(path))
            inputset.remember_last(b.config_dir, b.signature, path, b.model_key)
