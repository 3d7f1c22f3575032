"""Find everything and the Weights tab, wired to the main window.

``InspectController(window)`` adds the Weights tab and owns the find dialog; the window keeps
only the two lines that make it. A chosen find result selects its row in the tree (the signature,
tensor, op, variable or library function; a node inside a function selects that function, a
node of the top-level graph its op type) and emits ``result_chosen`` so that other views (a graph)
can show it too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

PREWARM_MS = 300  # after a model opened: the Weights tab's helper process starts

if TYPE_CHECKING:
    from inspector_app.savedmodel.tree import TreeNode
    from inspector_app.ui.find_dialog import FindDialog
    from inspector_app.ui.weights import WeightsPanel


def _prewarm_weight_stats(*_args: Any) -> None:
    """The Weights tab's statistics process, started soon after a model opens (not with the
    window, and after the tree has been painted), so that the tab finds it ready."""
    from PySide6.QtCore import QTimer

    from inspector_app.workflows.weight_stats_process import prewarm

    QTimer.singleShot(PREWARM_MS, prewarm)


class InspectController(QObject):
    result_chosen = Signal(object)  # savedmodel.search.FindResult, after the tree selected it

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self._find: FindDialog | None = None
        self._weights: WeightsPanel | None = None
        window.tree_view.selectionModel().currentChanged.connect(self._on_tree_changed)
        window.panels.currentChanged.connect(self._on_tab_changed)
        window.model_opened.connect(self._on_models_changed)
        window.model_closed.connect(self._on_models_changed)
        window.model_opened.connect(_prewarm_weight_stats)
        window.model_opened.connect(self._prepare_weights)
        self._add_holder()

    # -- the Weights tab ------------------------------------------------------------------
    # The tab is an empty holder until first shown, or made ahead once a model is open
    # (_prepare_weights): the panel's modules (numpy, the tensor table) never load while the
    # window opens.
    @property
    def weights_panel(self) -> WeightsPanel:
        if self._weights is None:
            from inspector_app.ui.weights import WeightsPanel

            self._weights = WeightsPanel()
            self._holder.layout().addWidget(self._weights)
        return self._weights

    def _prepare_weights(self, *_args: Any) -> None:
        """Make the panel ahead, hidden, a step per turn of the event loop (ui/weights/prepare)."""
        if self._weights is None:
            from inspector_app.ui.weights.prepare import prepare

            prepare(self, lambda: self.weights_panel)

    def _add_holder(self) -> None:
        from PySide6.QtWidgets import QVBoxLayout, QWidget

        self._holder = QWidget(objectName="weightsTab")
        QVBoxLayout(self._holder).setContentsMargins(0, 0, 0, 0)
        self.window.add_panel(self._holder, "Weights")

    def _weights_visible(self) -> bool:
        return self.window.panels.currentWidget() is self._holder

    def _on_tab_changed(self, _index: int) -> None:
        if self._weights_visible():
            self._sync_weights()

    def _on_tree_changed(self, *_args: Any) -> None:
        if self._weights_visible():
            self._sync_weights()

    def _sync_weights(self) -> None:
        model = self.window.current_model()
        if model is None and self.window.models():
            model = self.window.models()[-1]
        panel = self.weights_panel
        panel.set_model(model.info if model is not None else None)
        node = self.window.current_node()
        if node is not None and node.kind == "variable":
            panel.select_variable(node.details.get("name", node.name))

    def show_weights(self, variable: str | None = None) -> None:
        """Bring the Weights tab forward (of the current model), selecting ``variable``."""
        self.window.panels.setCurrentWidget(self._holder)
        self._sync_weights()
        if variable:
            if self.weights_panel.variables:
                self.weights_panel.select_variable(variable)
            else:  # still reading: select once the list is in
                self._select_when_read(variable)

    def _select_when_read(self, variable: str) -> None:
        panel = self.weights_panel

        def once() -> None:
            panel.model.modelReset.disconnect(once)
            panel.select_variable(variable)

        panel.model.modelReset.connect(once)

    # -- find -----------------------------------------------------------------------------
    @property
    def find_dialog(self) -> FindDialog:
        if self._find is None:
            from inspector_app.ui.find_dialog import FindDialog

            self._find = FindDialog(self.window)
            self._find.result_chosen.connect(self.choose)
        return self._find

    def open_find(self, text: str | None = None) -> None:
        dialog = self.find_dialog
        dialog.set_models([m.info for m in self.window.models()])
        dialog.open_find(text)

    def _on_models_changed(self, *_args: Any) -> None:
        if self._find is not None:
            self._find.set_models([m.info for m in self.window.models()])

    def choose(self, result: Any) -> bool:
        """Select ``result``'s row in the tree (and its variable in Weights); False when the
        model is no longer open or the row cannot be found."""
        node = self.tree_node_for(result)
        if node is not None:
            self.window.select_node(node)
        if result.kind == "weight":
            self.show_weights(result.name)
        if result.kind == "node":
            self._reveal_in_graph(result)
        self.result_chosen.emit(result)
        return node is not None

    def _reveal_in_graph(self, result: Any) -> None:
        """A node: its graph in the Graph tab, the node selected. The tree row chosen above led
        the graph to a node's function; a node of the top-level graph opens that graph."""
        from inspector_app.ui.graph import graph_target

        panel = self.window.graph_panel
        if result.function is None:
            mg = self._meta_graph_node(result)
            model = self._model_of(result)
            target = graph_target(model.info, mg) if mg is not None and model else None
            if target is not None:
                panel.show_target(*target)
        self.window.panels.setCurrentWidget(panel)
        panel.reveal_node(result.name)

    def _model_of(self, result: Any) -> Any:
        return next(
            (m for m in self.window.models() if str(m.info.path) == result.model_path), None
        )

    # -- result -> tree row ---------------------------------------------------------------
    def _fetch(self, node: TreeNode) -> list[TreeNode]:
        """The node's children, loading lazy ones through the Qt model (so the view knows)."""
        if node.load_children is not None:
            tree_model = self.window.tree_model
            index = tree_model.index_of(node)
            if index.isValid() and tree_model.canFetchMore(index):
                tree_model.fetchMore(index)
            else:
                node.ensure_children()
        return node.children

    def _meta_graph_node(self, result: Any) -> TreeNode | None:
        model = self._model_of(result)
        if model is None:
            return None
        version = getattr(model.info, "version", None)
        found: list[TreeNode] = []

        def walk(node: TreeNode) -> None:
            if node.kind == "version" and str(node.details.get("version")) != str(version):
                return
            if node.kind == "meta_graph":
                if tuple(node.details.get("tags", ())) == tuple(result.tags):
                    found.append(node)
                return
            for child in node.children:
                walk(child)

        walk(model.tree)
        return found[0] if found else None

    @staticmethod
    def _child(node: TreeNode | None, kind: str, name: str | None = None) -> TreeNode | None:
        if node is None:
            return None
        return next(
            (c for c in node.children if c.kind == kind and (name is None or c.name == name)),
            None,
        )

    def tree_node_for(self, result: Any) -> TreeNode | None:
        mg = self._meta_graph_node(result)
        if mg is None:
            return None
        kind = result.kind
        if kind == "signature":
            return self._child(mg, "signature", result.name)
        if kind == "tensor":
            sig = self._child(mg, "signature", result.signature)
            for group in sig.children if sig is not None else []:
                for t in group.children:
                    if result.name in (t.name, t.details.get("tensor_name")):
                        return t
            return sig
        if kind == "op":
            return self._child(self._child(mg, "ops"), "op", result.name)
        if kind == "weight":
            return self._variable_node(mg, result.name)
        if kind == "function":
            attached = self._child(self._child(mg, "functions"), "function", result.name)
            return attached or self._library_node(mg, result.function)
        if kind == "node":
            if result.function:
                return self._library_node(mg, result.function)
            return self._child(self._child(mg, "ops"), "op", result.detail)
        return None

    def _library_node(self, mg: TreeNode, name: str | None) -> TreeNode | None:
        library = self._child(mg, "library")
        if library is None or not name:
            return None
        self._fetch(library)
        return self._child(library, "library_function", name)

    def _variable_node(self, mg: TreeNode, name: str) -> TreeNode | None:
        variables = self._child(mg, "variables")
        if variables is None:
            return None

        def matches(node: TreeNode) -> bool:
            return node.kind == "variable" and (
                node.details.get("name") == name or name in node.details.get("checkpoint_keys", [])
            )

        for child in self._fetch(variables):
            if matches(child):
                return child
            for grandchild in self._fetch(child) if child.kind == "variable_group" else []:
                if matches(grandchild):
                    return grandchild
        return None
