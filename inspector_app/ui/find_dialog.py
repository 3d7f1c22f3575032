"""Find everything (Ctrl+F): nodes, tensors, ops, weights, functions and signatures of the open
models, searched in the models' data (``savedmodel.search``), not in the expanded tree rows.

The index of each model is built once, in the thread pool, the first time the dialog needs it.
Choosing a result (Enter, double-click) emits ``result_chosen(FindResult)``: the window selects
the matching tree row, and a graph view may select the node.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from inspector_app.ui.background import run_in_background

_Index = QModelIndex | QPersistentModelIndex
HEADERS = ("Kind", "Name", "Detail", "Where", "Model")
KIND_FILTERS = (("All kinds", None), ("Nodes", {"node"}), ("Tensors", {"tensor"}),
                ("Ops", {"op"}), ("Weights", {"weight"}), ("Functions", {"function"}),
                ("Signatures", {"signature"}))  # fmt: skip
RESULT_LIMIT = 2000


class FindResultsModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.results: list[Any] = []

    def set_results(self, results: list[Any]) -> None:
        self.beginResetModel()
        self.results = results
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.results)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self.results[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            model = r.model_path.rstrip("/").rsplit("/", 1)[-1]
            where = r.where + (f" [{','.join(r.tags)}]" if r.tags else "")
            return (r.kind, r.name, r.detail, where, model)[index.column()]
        return None


class FindDialog(QDialog):
    """Non-modal: stays open while the user walks the results."""

    result_chosen = Signal(object)  # savedmodel.search.FindResult
    searched = Signal(int)  # matches in all, after each search

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("findDialog")
        self.setWindowTitle("Find everything")
        self.setModal(False)
        self.resize(820, 460)
        self._indexes: dict[int, Any] = {}  # id(info) -> FindIndex
        self._building: set[int] = set()
        self._infos: list[Any] = []
        self.edit = QLineEdit(objectName="findEdit")
        self.edit.setPlaceholderText("Name of a node, tensor, op, weight, function or signature")
        self.edit.setClearButtonEnabled(True)
        self.kind_combo = QComboBox(objectName="findKindCombo")
        for label, _kinds in KIND_FILTERS:
            self.kind_combo.addItem(label)
        self.model = FindResultsModel(self)
        self.table = QTableView(objectName="findResults")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, width in enumerate((70, 300, 200, 160)):
            header.resizeSection(col, width)
        header.setStretchLastSection(True)
        self.status = QLabel("", objectName="findStatus")
        bar = QHBoxLayout()
        bar.addWidget(self.edit, 1)
        bar.addWidget(self.kind_combo)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        self._timer = QTimer(self, singleShot=True, interval=120)
        self._connect_callbacks()

    def _connect_callbacks(self) -> None:
        self.edit.textChanged.connect(lambda _t: self._timer.start())
        self._timer.timeout.connect(self.search)
        self.kind_combo.currentIndexChanged.connect(self.search)
        self.edit.returnPressed.connect(self._choose_current)
        self.table.activated.connect(self._choose)

    # -- models ---------------------------------------------------------------------------
    def set_models(self, infos: list[Any]) -> None:
        """The open models (``SavedModelInfo``s); indexes of closed ones are dropped."""
        self._infos = [i for i in infos if i is not None]
        alive = {id(i) for i in self._infos}
        self._indexes = {k: v for k, v in self._indexes.items() if k in alive}
        for info in self._infos:
            self._ensure_index(info)
        self.search()

    def _ensure_index(self, info: Any) -> None:
        key = id(info)
        if key in self._indexes or key in self._building:
            return
        self._building.add(key)

        def build() -> Any:
            from inspector_app.savedmodel.search import build_index

            return build_index(info)

        def done(index: Any) -> None:
            self._building.discard(key)
            if any(i is info for i in self._infos):
                self._indexes[key] = index
                self.search()

        def failed(err: BaseException) -> None:
            self._building.discard(key)
            self.status.setText(f"cannot index {getattr(info, 'path', '?')}: {err}")

        run_in_background(build, done, failed, receiver=self)

    @property
    def ready(self) -> bool:
        return not self._building

    # -- searching ------------------------------------------------------------------------
    def search(self) -> None:
        self._timer.stop()
        text = self.edit.text()
        kinds = KIND_FILTERS[max(self.kind_combo.currentIndex(), 0)][1]
        results: list[Any] = []
        total = 0
        for info in self._infos:
            index = self._indexes.get(id(info))
            if index is None:
                continue
            found, n = index.search(text, kinds, RESULT_LIMIT - len(results))
            results += found
            total += n
        self.model.set_results(results)
        if results:
            self.table.setCurrentIndex(self.model.index(0, 0))
        waiting = f" (indexing {len(self._building)} model(s)…)" if self._building else ""
        if not text.strip():
            counts = self._counts()
            self.status.setText(
                ("Searchable: " + ", ".join(f"{n:,} {k}s" for k, n in counts.items() if n))
                if counts
                else "No open model."
                if not self._infos
                else ""
            )
            self.status.setText(self.status.text() + waiting)
        else:
            shown = f" (first {len(results):,} shown)" if total > len(results) else ""
            self.status.setText(f"{total:,} match{'es' if total != 1 else ''}{shown}{waiting}")
        self.searched.emit(total)

    def _counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for index in self._indexes.values():
            for kind, n in index.counts().items():
                out[kind] = out.get(kind, 0) + n
        return out

    def _choose_current(self) -> None:
        if self._timer.isActive():
            self.search()
        self._choose(self.table.currentIndex())

    def _choose(self, index: QModelIndex) -> None:
        if index.isValid():
            self.result_chosen.emit(self.model.results[index.row()])

    def open_find(self, text: str | None = None) -> None:
        if text is not None:
            self.edit.setText(text)
        self.show()
        self.raise_()
        self.activateWindow()
        self.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.edit.selectAll()
